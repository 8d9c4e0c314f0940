#!/usr/bin/env python3
"""Prints the top functions of a Go CPU profile (pprof's gzipped protobuf, e.g. from nats-server --profile PORT at
/debug/pprof/profile?seconds=N), by self and by cumulative samples, without Go's toolchain.

    bin/lib/pprof-top.py PROFILE [N]

Decodes only the fields of profile.proto it needs (samples, locations, functions, the string table).
"""
import collections
import gzip
import sys


def varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, i
        shift += 7


def fields(buf):
    """Yields (field number, wire type, value) of one protobuf message; value is an int or bytes."""
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(buf, i)
        elif wire == 2:
            length, i = varint(buf, i)
            value, i = buf[i:i + length], i + length
        elif wire == 1:
            value, i = int.from_bytes(buf[i:i + 8], "little"), i + 8
        elif wire == 5:
            value, i = int.from_bytes(buf[i:i + 4], "little"), i + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, wire, value


def ints(wire, value):
    """A repeated int64 field: packed (bytes) or one value."""
    if wire == 0:
        return [value]
    out, i = [], 0
    while i < len(value):
        v, i = varint(value, i)
        out.append(v)
    return out


def main():
    data = open(sys.argv[1], "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    strings, samples, locations, functions = [], [], {}, {}
    for number, wire, value in fields(data):
        if number == 2:  # Sample: location ids (leaf first), values
            locs, values = [], []
            for n, w, v in fields(value):
                if n == 1:
                    locs += ints(w, v)
                elif n == 2:
                    values += ints(w, v)
            samples.append((locs, values))
        elif number == 4:  # Location: id, lines (function ids, innermost first)
            lid, funcs = 0, []
            for n, w, v in fields(value):
                if n == 1:
                    lid = v
                elif n == 4:
                    funcs += [fv for fn, _, fv in fields(v) if fn == 1]
            locations[lid] = funcs
        elif number == 5:  # Function: id, name (string index)
            fid = name = 0
            for n, _, v in fields(value):
                if n == 1:
                    fid = v
                elif n == 2:
                    name = v
            functions[fid] = name
        elif number == 6:
            strings.append(value.decode("utf-8", "replace"))
    flat, cumulative = collections.Counter(), collections.Counter()
    total = 0
    for locs, values in samples:
        weight = values[-1] if values else 1  # the last value is CPU nanoseconds
        total += weight
        names = [strings[functions[f]] for loc in locs for f in locations.get(loc, [])]
        if names:
            flat[names[0]] += weight
        for name in set(names):
            cumulative[name] += weight
    print(f"total {total / 1e9:.2f} s of CPU in {len(samples)} stacks")
    for title, counter in (("self", flat), ("cumulative", cumulative)):
        print(f"--- top {top} by {title}")
        for name, weight in counter.most_common(top):
            print(f"{100 * weight / total:6.1f} %  {name}")


if __name__ == "__main__":
    main()
