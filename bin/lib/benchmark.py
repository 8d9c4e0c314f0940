#!/usr/bin/env python3
"""Measuring half of bin/benchmark (standard library only): snapshots of the service's /metrics, the nats-server's
/varz and /jsz and the processes' CPU time, the drain audit, the sustained-run sampler, and the reports.

  benchmark.py ports N                         N free TCP ports on 127.0.0.1
  benchmark.py snap OUT [--src ...]            one snapshot as JSON
  benchmark.py audit OUT TIMEOUT [--src ...]   waits until every accepted order is terminal and every consumer idle
  benchmark.py window RUN_DIR EVERY [--src ...] -- WRK...   the timed part: snapshots around the load (and every
                                               EVERY seconds during it if EVERY > 0)
  benchmark.py report RUN_DIR SAGA RATE        one run's figures from its snapshots and, for the saga, the full
                                               audit's verdict and table (prints them, writes run.json)
  benchmark.py summary OUT_JSON ENV_JSON RUN_DIR... [--probe-saga DIR,... --probe-ingest DIR,...]
                                               table of runs, medians, and the ratios to the ceiling probe's runs

--src: --metrics URL (the service's /metrics), --nats URL (the nats-server's monitoring base URL, optional),
--pid NAME=PID (repeatable; CPU time from /proc/PID/stat).
"""
import json
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

CLK_TCK = int(subprocess.check_output(['getconf', 'CLK_TCK']))  # the unit of utime and stime in /proc/PID/stat
LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
SHIPPED_HISTOGRAM = "orderflow_saga_duration_seconds_bucket"
CONFIRMED_HISTOGRAM = "orderflow_order_latency_seconds_bucket"


# ------------------------------------------------------------------------------------------------ sources

def get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return answer.read().decode()


def parse_metrics(text):
    """Prometheus text format → list of (name, labels dict, value)."""
    series = []
    for line in text.splitlines():
        if not line or line[0] == '#':
            continue
        m = LINE.match(line)
        if m:
            labels = dict(LABEL.findall(m.group(2) or ''))
            series.append((m.group(1), labels, float(m.group(3))))
    return series


def cpu_ticks(pid):
    """utime + stime of a process (all its threads), in clock ticks; None once it is gone."""
    fields = stat_fields(pid)
    return int(fields[11]) + int(fields[12]) if fields else None  # fields 14 and 15 of stat(5)


def stat_fields(pid):
    """The fields of /proc/PID/stat after "(comm)" (which may contain spaces); None once the process is gone."""
    try:
        with open('/proc/%s/stat' % pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return fields if len(fields) > 12 else None
    except OSError:
        return None


# What wake_ups counts, in the order the report prints them.
WAKE_UP_KEYS = ('voluntary', 'nonvoluntary', 'minflt')


def wake_ups(pid):
    """Minor page faults of a process and the context switches of its threads, voluntary (a thread that waited and
    was woken) and not (one that was preempted); None once it is gone. Each costs a trip through the kernel, which
    on this kind of virtual machine costs more than most of the work per message: the half-load runs show it. A
    thread that ended since the previous read takes its switches with it, so the count is a lower bound."""
    fields = stat_fields(pid)
    if not fields:
        return None
    counts = {'minflt': int(fields[7]), 'voluntary': 0, 'nonvoluntary': 0}  # field 10 of stat(5)
    try:
        tasks = os.listdir('/proc/%s/task' % pid)
    except OSError:
        return None
    for task in tasks:
        try:
            with open('/proc/%s/task/%s/status' % (pid, task)) as f:
                for line in f:
                    key, _, value = line.partition(':')
                    if key in ('voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches'):
                        counts[key.split('_')[0]] += int(value)
        except OSError:
            pass  # the thread ended meanwhile
    return counts


def parse_src(args):
    src = {'metrics': None, 'nats': None, 'pids': {}}
    i = 0
    while i < len(args):
        if args[i] == '--metrics':
            src['metrics'] = args[i + 1]
        elif args[i] == '--nats':
            src['nats'] = args[i + 1].rstrip('/') or None
        elif args[i] == '--pid':
            name, pid = args[i + 1].split('=', 1)
            if pid:
                src['pids'][name] = pid
        else:
            raise SystemExit('unknown option ' + args[i])
        i += 2
    return src


def snapshot(src, jsz=False):
    """The counters one figure is a delta of, all read at (nearly) the same moment."""
    series = parse_metrics(get(src['metrics']))
    # The time and the CPU are read once the service has answered: under load /metrics waits behind other work
    # on the event loops, and its counters are those of the moment it answers.
    snap = {'t': time.monotonic(), 'cpu': {n: cpu_ticks(p) for n, p in src['pids'].items()},
            'wake_ups': {n: wake_ups(p) for n, p in src['pids'].items()}}
    total = lambda name: sum(v for n, _, v in series if n == name)
    snap['accepted'] = int(total('orderflow_orders_accepted_total'))
    snap['rejected'] = {l.get('status'): v for n, l, v in series if n == 'orderflow_orders_rejected_total' and v}
    snap['outcomes'] = {'%s/%s' % (l.get('status'), l.get('reason')): v
                        for n, l, v in series if n == 'orderflow_saga_outcomes_total'}
    for key, name in (('shipped_buckets', SHIPPED_HISTOGRAM), ('confirmed_buckets', CONFIRMED_HISTOGRAM)):
        buckets = {}
        for n, l, v in series:
            if n == name and (name != SHIPPED_HISTOGRAM or l.get('status') == 'SHIPPED'):
                buckets[l['le']] = buckets.get(l['le'], 0) + v
        snap[key] = buckets or None
    snap['hops'] = hop_buckets(series)
    consumers = {}
    for n, l, v in series:
        if n in ('orderflow_consumer_pending', 'orderflow_consumer_ack_pending'):
            consumers.setdefault(l.get('consumer', '?'), {})['ack_pending' if 'ack' in n else 'pending'] = v
    snap['consumers'] = consumers
    snap['heap_used'] = sum(v for n, l, v in series if n == 'jvm_memory_used_bytes' and l.get('area') == 'heap')
    snap['old_gen'] = sum(v for n, l, v in series if n == 'jvm_memory_used_bytes' and l.get('area') == 'heap'
                          and ('Old' in l.get('id', '') or 'Tenured' in l.get('id', '')))
    snap['live_data'] = total('jvm_gc_live_data_size_bytes') if any(
        n == 'jvm_gc_live_data_size_bytes' for n, _, _ in series) else None
    if src['nats']:
        varz = json.loads(get(src['nats'] + '/varz'))
        snap['varz'] = {k: varz.get(k) for k in ('in_msgs', 'out_msgs', 'in_bytes', 'out_bytes', 'version')}
        if jsz:
            snap['jsz'] = jsz_consumers(src['nats'])
    return snap


HANDLER_HISTOGRAM = "orderflow_handler_duration_seconds_bucket"
PUBLISH_HISTOGRAM = "orderflow_publish_duration_seconds_bucket"


def hop_buckets(series):
    """The saga's hops, each a histogram: every consumer's handler time (deliveries it acknowledged) and every
    event's publish time (to the stream's acknowledgement). Keys are 'handler <consumer>' and 'publish <event>'."""
    hops = {}
    for n, l, v in series:
        if n == HANDLER_HISTOGRAM and l.get('outcome') == 'ack':
            key = 'handler ' + l.get('consumer', '?')
        elif n == PUBLISH_HISTOGRAM and l.get('outcome') == 'ok':
            key = 'publish ' + l.get('event', '?')
        else:
            continue
        buckets = hops.setdefault(key, {})
        buckets[l['le']] = buckets.get(l['le'], 0) + v
    return hops


def jsz_consumers(nats):
    """Every consumer's backlog as the server sees it: {stream/durable: {pending, ack_pending}}."""
    d = json.loads(get(nats + '/jsz?consumers=true'))
    out = {}
    for account in d.get('account_details', []):
        for stream in account.get('stream_detail', []):
            for c in stream.get('consumer_detail') or []:
                out['%s/%s' % (stream.get('name'), c.get('name'))] = {
                    'pending': c.get('num_pending', 0), 'ack_pending': c.get('num_ack_pending', 0)}
    return out


# ------------------------------------------------------------------------------------------------ commands

def cmd_ports(n):
    sockets = [socket.socket() for _ in range(int(n))]
    for s in sockets:
        s.bind(('127.0.0.1', 0))
    print(' '.join(str(s.getsockname()[1]) for s in sockets))
    for s in sockets:
        s.close()


def cmd_env(out, *pairs):
    """KEY=VALUE pairs → a JSON object (the run's environment, for the summary)."""
    write_json(out, dict(p.split('=', 1) for p in pairs))


def cmd_snap(out, *args):
    write_json(out, snapshot(parse_src(args)))


def cmd_scrape(pid, url, every):
    """Reads url every `every` seconds while process pid runs (what Prometheus does to a service)."""
    while os.path.exists('/proc/%s' % pid):
        try:
            get(url)
        except OSError:
            pass  # a scrape that fails is no reason to stop the load
        time.sleep(float(every))


def cmd_audit(out, timeout, *args):
    """Polls (at most TIMEOUT s) until sum(outcomes) == accepted and every consumer's pending and ack-pending is 0.
    The backlog comes from the server's /jsz when --nats is given, else from the service's lag gauges (which the
    service refreshes every 2 s)."""
    src = parse_src(args)
    start = time.monotonic()
    while True:
        snap = snapshot(src, jsz=True)
        backlog = snap.get('jsz') or snap['consumers']
        busy = {c: b for c, b in backlog.items() if b.get('pending', 0) or b.get('ack_pending', 0)}
        terminal = sum(snap['outcomes'].values())
        done = terminal >= snap['accepted'] and not busy
        if done or time.monotonic() - start > float(timeout):
            break
        time.sleep(0.5)
    snap['audit'] = {'ok': done, 'accepted': snap['accepted'], 'terminal': int(terminal), 'busy_consumers': busy,
                     'backlog_source': 'nats /jsz' if snap.get('jsz') else 'orderflow_consumer_* gauges',
                     'waited_s': round(time.monotonic() - start, 1)}
    write_json(out, snap)
    sys.exit(0 if done else 1)


def cmd_window(run_dir, every, *args):
    """The timed part: a snapshot, the load (the command after --, its output to wrk.txt), a snapshot as soon as
    it ends; with EVERY > 0, a snapshot every EVERY seconds in between (series.jsonl). One process, so that no
    process start-up falls inside the window."""
    split = args.index('--')
    src, command = parse_src(args[:split]), list(args[split + 1:])
    write_json(os.path.join(run_dir, 'start.json'), snapshot(src))
    with open(os.path.join(run_dir, 'wrk.txt'), 'w') as log:
        load = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    # A stop of this helper stops the load too (bin/benchmark's trap stops the helper by its PID).
    signal.signal(signal.SIGTERM, lambda *_: (load.kill(), sys.exit(143)))
    if float(every) > 0:
        with open(os.path.join(run_dir, 'series.jsonl'), 'w') as series:
            while load.poll() is None:
                try:
                    load.wait(timeout=float(every))
                except subprocess.TimeoutExpired:
                    series.write(json.dumps(snapshot(src)) + '\n')
                    series.flush()
    load.wait()
    end = snapshot(src)
    # The load generator's own CPU over its whole life (the timed part): the load is this helper's only child, and
    # it shares the cores with what it measures.
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    end['load_cpu_s'] = children.ru_utime + children.ru_stime
    write_json(os.path.join(run_dir, 'end.json'), end)


# ------------------------------------------------------------------------------------------------ figures

def histogram_quantile(q, buckets):
    """Like Prometheus's histogram_quantile: linear interpolation inside the bucket that holds the rank; the
    highest finite bound when the rank falls into +Inf; None without observations."""
    if not buckets:
        return None
    bounds = sorted((float(le), c) for le, c in buckets.items())
    if len(bounds) < 2 or bounds[-1][0] != float('inf'):
        return None
    cumulative, running = [], 0.0
    for le, c in bounds:  # tolerate tiny non-monotonic counts from reads that are not atomic
        running = max(running, c)
        cumulative.append((le, running))
    total = cumulative[-1][1]
    if total <= 0:
        return None
    rank = q * total
    for i, (le, c) in enumerate(cumulative):
        if c >= rank:
            if le == float('inf'):
                return cumulative[-2][0]
            lower, below = (0.0, 0.0) if i == 0 else cumulative[i - 1]
            if i == 0 and le <= 0:
                return le
            return lower + (le - lower) * (rank - below) / (c - below) if c > below else le
    return None


def delta_buckets(end, start):
    if not end:
        return None
    start = start or {}
    return {le: c - start.get(le, 0) for le, c in end.items()}


def per_order(a, b, divisor):
    """{msgs, bytes, jvm_us, nats_us, gateway_us, and the JVM's and nats-server's context switches (voluntary,
    nonvoluntary) and minor page faults (minflt)} per order between snapshots a and b; None where a source is
    missing."""
    if not divisor:
        return {'msgs': None, 'bytes': None, 'jvm_us': None, 'nats_us': None, 'gateway_us': None,
                **{'%s_%s' % (n, k): None for n in ('jvm', 'nats') for k in WAKE_UP_KEYS}}
    out = {}
    va, vb = a.get('varz'), b.get('varz')
    for key, fields in (('msgs', ('in_msgs', 'out_msgs')), ('bytes', ('in_bytes', 'out_bytes'))):
        # Payloads and headers as the server counts them (its protocol lines not included).
        out[key] = (sum(vb[f] - va[f] for f in fields) / divisor
                    if va and vb and all(va.get(f) is not None for f in fields) else None)
    for name in ('jvm', 'nats', 'gateway'):
        ta, tb = a['cpu'].get(name), b['cpu'].get(name)
        out[name + '_us'] = (tb - ta) * 1e6 / CLK_TCK / divisor if ta is not None and tb is not None else None
    for name in ('jvm', 'nats'):
        wa, wb = (a.get('wake_ups') or {}).get(name), (b.get('wake_ups') or {}).get(name)
        for key in WAKE_UP_KEYS:
            out['%s_%s' % (name, key)] = (wb[key] - wa[key]) / divisor if wa and wb else None
    return out


def cmd_report(run_dir, saga, rate):
    """One run: wrk's line, the window's snapshots (start, end), and for the saga the audit after it."""
    saga = saga == 'true'
    load = read_wrk(os.path.join(run_dir, 'wrk.txt'))
    start, end = read_json(run_dir, 'start.json'), read_json(run_dir, 'end.json')
    audit = read_json(run_dir, 'audit.json') if saga else None
    window = end['t'] - start['t']
    accepted = end['accepted'] - start['accepted']
    outcomes = sum(end['outcomes'].values()) - sum(start['outcomes'].values())
    r = {'rate': float(rate) or None, 'accepted': accepted, 'accepted_wrk': load['accepted'],
         'accepted_per_s': load['accepted'] / load['seconds'], 'wrk_seconds': load['seconds'],
         'accept_p50_ms': load['p50_us'] / 1000, 'accept_p99_ms': load['p99_us'] / 1000,
         'accept_max_ms': load['max_us'] / 1000, 'other_answers': load['other'],
         'refused_by_status': {k: int(v - start['rejected'].get(k, 0)) for k, v in end['rejected'].items()
                               if v - start['rejected'].get(k, 0)},
         'socket_errors': load['socket_errors'], 'window_s': window,
         'per_order_window_accepted': per_order(start, end, accepted),
         'load_us': (end['load_cpu_s'] * 1e6 / load['accepted']
                     if end.get('load_cpu_s') is not None and load['accepted'] else None)}
    after = audit or end
    r['confirmed_p50_ms'], r['confirmed_p99_ms'] = quantiles_ms(start, after, 'confirmed_buckets')
    if saga:
        r['saga_in_window'] = outcomes
        r['saga_per_s'] = outcomes / window
        r['outcomes'] = {k: int(v - start['outcomes'].get(k, 0)) for k, v in audit['outcomes'].items()
                         if v - start['outcomes'].get(k, 0)}
        r['audit'] = audit['audit']
        r['rejected'] = audit.get('rejected', {})
        r['shipped_p50_ms'], r['shipped_p99_ms'] = quantiles_ms(start, audit, 'shipped_buckets')
        r['hops'] = hop_quantiles(start, end)
        r['per_order_window_saga'] = per_order(start, end, outcomes)
        # Every order of this load, including answers still in flight when wrk stopped, which the service
        # counts after the window's end.
        r['accepted_with_drain'] = audit['accepted'] - start['accepted']
        r['per_order_with_drain'] = per_order(start, audit, r['accepted_with_drain'])
        if os.path.exists(os.path.join(run_dir, 'full-audit.json')):
            r['full_audit'] = full_audit(run_dir)
    series_file = os.path.join(run_dir, 'series.jsonl')
    if os.path.exists(series_file):
        r['sustain'] = sustain_series(series_file, start, float(rate))
    write_json(os.path.join(run_dir, 'run.json'), r)
    print_run(r, saga)


AUDIT_LAST_LINE = re.compile(r'^audited (\d+) orders: .* -> (PASSED|VIOLATIONS) \(([\d.]+) s\)$')


def full_audit(run_dir):
    """bin/audit's verdict: PASSED, VIOLATIONS, ERROR (no table: a usage error or a crash) or skipped; the orders it
    checked, its own time (from its last line) and the wall time of the process (JVM start included)."""
    meta = read_json(run_dir, 'full-audit.json')
    if meta['exit'] == 'skipped':
        return {'verdict': 'skipped', 'reason': meta.get('reason')}
    table = open(os.path.join(run_dir, 'full-audit.txt')).read()
    found = [m for m in map(AUDIT_LAST_LINE.match, table.splitlines()) if m]
    out = {'verdict': found[-1].group(2) if found else 'ERROR', 'exit': int(meta['exit']),
           'wall_s': float(meta['seconds']), 'table': table}
    if found:
        out['orders'], out['audit_s'] = int(found[-1].group(1)), float(found[-1].group(3))
    if out['exit'] != 0 and out['verdict'] == 'PASSED':
        out['verdict'] = 'ERROR'
    return out


# The happy path's hops in the order an order takes them; others (cancellations, releases) after them.
SAGA_HOPS = ['publish OrderPlaced', 'handler inventory-orders', 'publish StockReserved', 'handler payments-inventory',
             'publish PaymentAuthorized', 'handler orders-payments', 'publish OrderConfirmed', 'handler shipping-orders',
             'publish ShipmentScheduled']


def saga_position(hop):
    return (SAGA_HOPS.index(hop), hop) if hop in SAGA_HOPS else (len(SAGA_HOPS), hop)


def hop_quantiles(start, end):
    """{hop: [p50 ms, p99 ms, count]} over the timed window, for the hops with observations in it."""
    out = {}
    for hop, buckets in sorted((end.get('hops') or {}).items(), key=lambda kv: saga_position(kv[0])):
        d = delta_buckets(buckets, (start.get('hops') or {}).get(hop))
        count = d.get('+Inf', 0)
        if count > 0:
            out[hop] = [histogram_quantile(0.5, d) * 1000, histogram_quantile(0.99, d) * 1000, int(count)]
    return out


def quantiles_ms(start, end, key):
    buckets = delta_buckets(end.get(key), start.get(key))
    p50, p99 = histogram_quantile(0.5, buckets), histogram_quantile(0.99, buckets)
    return (p50 * 1000 if p50 is not None else None), (p99 * 1000 if p99 is not None else None)


def sustain_series(path, start, rate):
    rows, prev = [], start
    for line in open(path):
        s = json.loads(line)
        dt = s['t'] - prev['t']
        if dt <= 0:
            continue
        rows.append({'t_s': round(s['t'] - start['t'], 1),
                     'accepted_per_s': (s['accepted'] - prev['accepted']) / dt,
                     'saga_per_s': (sum(s['outcomes'].values()) - sum(prev['outcomes'].values())) / dt,
                     'pending': sum(c.get('pending', 0) for c in s['consumers'].values()),
                     'ack_pending': sum(c.get('ack_pending', 0) for c in s['consumers'].values()),
                     'heap_used_mib': s['heap_used'] / 2 ** 20,
                     'old_gen_mib': s.get('old_gen', 0) / 2 ** 20,
                     'live_data_mib': s['live_data'] / 2 ** 20 if s['live_data'] is not None else None})
        prev = s
    backlog = [(r['t_s'], r['pending'] + r['ack_pending']) for r in rows]
    old_gen = [(r['t_s'], r['old_gen_mib']) for r in rows]
    span = rows[-1]['t_s'] - rows[0]['t_s'] if len(rows) > 1 else 0
    orders = sum(r['accepted_per_s'] for r in rows[1:]) / max(len(rows) - 1, 1) * span
    # Flat: the least-squares trend over the run adds less than a quarter second of orders to the backlog (at least
    # 100 messages), and less than 16 MiB or 10 % of its mean (whichever is more) to the old generation, where
    # whatever outlives the young collections ends up. jvm_gc_live_data_size_bytes is printed too, but G1 updates
    # it only after a collection that shrinks the old generation, so it can stay put while the heap grows.
    backlog_growth = slope(backlog) * span
    old_growth = slope(old_gen) * span
    backlog_limit = max(100.0, 0.25 * rate)
    old_limit = max(16.0, 0.1 * statistics.mean(v for _, v in old_gen)) if old_gen else None
    enough = len(rows) > 2
    verdict = {'backlog_growth': backlog_growth, 'backlog_limit': backlog_limit,
               'backlog_flat': backlog_growth < backlog_limit if enough else None,
               'old_gen_growth_mib': old_growth, 'old_gen_limit_mib': old_limit,
               'old_gen_bytes_per_order': old_growth * 2 ** 20 / orders if orders else None,
               'heap_flat': old_growth < old_limit if enough else None}
    return {'rows': rows, 'verdict': verdict}


def slope(points):
    if len(points) < 2:
        return 0.0
    mx = statistics.mean(x for x, _ in points)
    my = statistics.mean(y for _, y in points)
    sxx = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / sxx if sxx else 0.0


# ------------------------------------------------------------------------------------------------ printing

def fmt(v, pattern='%.0f', none='n/a'):
    return none if v is None else pattern % v


def print_run(r, saga):
    refused = r.get('refused_by_status')
    print('accepted:       %d orders in %.1f s = %s orders/s%s (wrk); other answers: %s%s; socket errors: %d' % (
        r['accepted_wrk'], r['wrk_seconds'], fmt(r['accepted_per_s']),
        ' (paced at %s/s)' % fmt(r['rate']) if r['rate'] else '', r['other_answers'],
        ' (the service\'s count by status: %s)' % ', '.join('%s %d' % kv for kv in sorted(refused.items()))
        if refused else '', r['socket_errors']))
    print('                %d in the window by orderflow_orders_accepted_total (also the answers wrk had in '
          'flight when it stopped)' % r['accepted'])
    print('accept latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms (every answer; wrk)' % (
        r['accept_p50_ms'], r['accept_p99_ms'], r['accept_max_ms']))
    if saga:
        a = r['audit']
        print('saga:           %s orders/s reached a terminal status in the timed window (%d in %.1f s; '
              'orderflow_saga_outcomes_total)' % (fmt(r['saga_per_s']), r['saga_in_window'], r['window_s']))
        if a['ok']:
            print('audit:          all %d accepted orders terminal (this load: %s), every consumer idle (%s), '
                  '%.1f s after the window' % (a['accepted'], ', '.join('%s %d' % kv for kv in r['outcomes'].items()),
                                               a['backlog_source'], a['waited_s']))
            if a['terminal'] > a['accepted']:
                print('                but the outcomes exceed the accepted orders by %d (%d outcomes, %d accepted '
                      'since the service started; answers other than 202: %s): orders placed for requests whose '
                      'connection closed before the 202 (wrk drops its connections with requests in flight when it '
                      'stops, after the warm-up and after the run; the service counts answers, not orders), or an '
                      'order counted twice; the full audit tells the two apart' % (a['terminal'] - a['accepted'], a['terminal'],
                                                         a['accepted'], json.dumps(r['rejected']) if r['rejected'] else 'none'))
        else:
            print('audit:          NOT DONE after %.1f s: %d of %d accepted orders terminal; consumers with a '
                  'backlog (%s): %s' % (a['waited_s'], a['terminal'], a['accepted'], a['backlog_source'],
                                        json.dumps(a['busy_consumers']) or 'none'))
        print('placed→shipped: p50 %s, p99 %s (orderflow_saga_duration_seconds{status="SHIPPED"}, bucket deltas '
              'from the window start to the audit)' % (fmt(r['shipped_p50_ms'], '%.1f ms'),
                                                       fmt(r['shipped_p99_ms'], '%.1f ms')))
        print('placed→confirmed: p50 %s, p99 %s (orderflow_order_latency_seconds, the same deltas)' % (
            fmt(r['confirmed_p50_ms'], '%.1f ms'), fmt(r['confirmed_p99_ms'], '%.1f ms')))
        print_hops(r.get('hops'))
        print_full_audit(r.get('full_audit'))
    cols = [('window / accepted (%d)' % r['accepted'], r['per_order_window_accepted'])]
    if saga:
        cols += [('window / saga (%d)' % r['saga_in_window'], r['per_order_window_saga']),
                 ('window+drain / accepted (%d)' % r['accepted_with_drain'], r['per_order_with_drain'])]
    print('per order:      %-20s' % '' + ''.join('%-28s' % c for c, _ in cols))
    rows = [('msgs', 'NATS msgs in+out'), ('bytes', 'NATS bytes in+out'), ('jvm_us', 'JVM CPU µs'),
            ('nats_us', 'nats-server CPU µs')]
    if cols[0][1].get('gateway_us') is not None:
        rows.append(('gateway_us', 'gateway sim. CPU µs'))  # the external system's stand-in, in its own process
    for key, label in rows:
        print('                %-20s' % label + ''.join('%-28s' % fmt(v[key], '%.1f') for _, v in cols))
    for name, label in (('jvm', 'JVM'), ('nats', 'nats')):
        # Woken (voluntary) / preempted context switches of its threads, and minor page faults: the kernel trips.
        print('                %-20s' % (label + ' csw, faults') + ''.join(
            '%-28s' % ('%s / %s, %s' % tuple(fmt(v.get('%s_%s' % (name, k)), '%.1f')
                                            for k in WAKE_UP_KEYS)) for _, v in cols))
    if r.get('load_us') is not None:
        # Not the service's figure: what the load costs on the cores it shares with the service.
        print('                %-20s%s per order wrk answered with a 202 (its own CPU over the timed part)' % (
            'load (wrk) CPU µs', fmt(r['load_us'], '%.1f')))
    if 'sustain' in r:
        print_sustain(r['sustain'])


def print_hops(hops):
    """Where placed → shipped goes: each step's handler time (its look-ups, stock writes, gateway call and
    publishes) and each publish's wait for the stream's acknowledgement, as the service's histograms saw them."""
    if not hops:
        return
    for kind, title in (('handler', 'per hop:        handler p50/p99 ms'), ('publish', '                publish p50/p99 ms')):
        cells = ['%s %s/%s' % (hop.split(' ', 1)[1], fmt(q[0], '%.1f'), fmt(q[1], '%.0f'))
                 for hop, q in hops.items() if hop.startswith(kind + ' ')]
        if cells:
            print('%s: %s' % (title, ', '.join(cells)))


def print_full_audit(f):
    if f is None or f['verdict'] == 'skipped':
        print('full audit:     skipped (%s)' % ((f or {}).get('reason') or 'with --url it needs --nats-url and '
                                              '--gateway-url; the ceiling probe keeps no orders to audit'))
        return
    if 'orders' in f:
        print('full audit:     %s: %d orders (every OrderPlaced in the ORDERS stream) checked in %.1f s '
              '(%.1f s with the audit\'s JVM start; bin/audit --ids-from-stream):' % (
                  f['verdict'], f['orders'], f['audit_s'], f['wall_s']))
    else:
        print('full audit:     ERROR: bin/audit exited %d without a verdict after %.1f s:' % (f['exit'], f['wall_s']))
    for line in f['table'].rstrip('\n').splitlines():
        print('                ' + line)


def print_sustain(s):
    print('sustained run, sampled (pending / ack-pending: sums over the orderflow_consumer_* gauges; heap, old gen: '
          'jvm_memory_used_bytes; live after GC: jvm_gc_live_data_size_bytes):')
    print('  %7s %11s %9s %9s %11s %9s %9s %9s' % ('t (s)', 'accepted/s', 'saga/s', 'pending', 'ack-pending',
                                                  'heap MiB', 'old MiB', 'live MiB'))
    for row in s['rows']:
        print('  %7.1f %11.0f %9.0f %9.0f %11.0f %9.0f %9.1f %9s' % (
            row['t_s'], row['accepted_per_s'], row['saga_per_s'], row['pending'], row['ack_pending'],
            row['heap_used_mib'], row['old_gen_mib'], fmt(row['live_data_mib'], '%.1f')))
    v = s['verdict']
    flat = lambda ok: 'n/a (too few samples)' if ok is None else ('flat' if ok else 'GROWING')
    print('  backlog: %s (least-squares trend over the run %+.0f messages; flat below +%.0f, a quarter second of '
          'the rate or 100)' % (flat(v['backlog_flat']), v['backlog_growth'], v['backlog_limit']))
    print('  heap: %s (old generation trend over the run %+.1f MiB = %s bytes per order; flat below +%s MiB)' % (
        flat(v['heap_flat']), v['old_gen_growth_mib'], fmt(v['old_gen_bytes_per_order'], '%+.1f'),
        fmt(v['old_gen_limit_mib'], '%.0f')))


COLUMNS = [('accepted/s', 'accepted_per_s', '%.0f'), ('acc p50 ms', 'accept_p50_ms', '%.1f'),
           ('acc p99 ms', 'accept_p99_ms', '%.1f'), ('saga/s', 'saga_per_s', '%.0f'),
           ('audit', 'audit_ok', '%s'), ('full audit', 'full_audit', '%s'),
           ('ship p50 ms', 'shipped_p50_ms', '%.1f'), ('ship p99 ms', 'shipped_p99_ms', '%.1f'),
           ('msgs/ord', 'msgs', '%.1f'), ('JVM µs/ord', 'jvm_us', '%.0f'), ('nats µs/ord', 'nats_us', '%.0f'),
           ('gateway µs/ord', 'gateway_us', '%.0f'), ('wrk µs/ord', 'load_us', '%.0f'),
           ('JVM csw/ord', 'jvm_voluntary', '%.1f'), ('nats csw/ord', 'nats_voluntary', '%.1f')]


def flatten(r):
    """The table's figures of one run: per-order figures over window+drain for the saga, else the window."""
    per = r.get('per_order_with_drain') or r['per_order_window_accepted']
    out = dict(r, **per)
    out['audit_ok'] = ('ok' if r['audit']['ok'] else 'MISSING') if 'audit' in r else None
    out['full_audit'] = r['full_audit']['verdict'] if 'full_audit' in r else None
    return out


def cmd_summary(out_json, env_json, *args):
    args, probe = list(args), {}
    for mode in ('saga', 'ingest'):
        option = '--probe-' + mode
        if option in args:
            i = args.index(option)
            probe[mode] = [read_json(d, 'run.json') for d in args[i + 1].split(',') if d]
            del args[i:i + 2]
    runs = [read_json(d, 'run.json') for d in args]
    rows = [flatten(r) for r in runs]
    medians = column_medians(rows)
    audits = [row['audit_ok'] for row in rows if row['audit_ok'] is not None]
    medians['audit_ok'] = ('ok' if all(a == 'ok' for a in audits) else 'MISSING') if audits else None
    verdicts = [row['full_audit'] for row in rows if row['full_audit'] not in (None, 'skipped')]
    medians['full_audit'] = ('PASSED' if all(v == 'PASSED' for v in verdicts) else 'FAILED') if verdicts else None
    if len(rows) > 1:
        print()
        print('| run | ' + ' | '.join(c for c, _, _ in COLUMNS) + ' |')
        print('|---' * (len(COLUMNS) + 1) + '|')
        for i, row in enumerate(rows + [medians]):
            print('| %s | ' % (i + 1 if i < len(rows) else '**median**') +
                  ' | '.join(fmt(row.get(k), f, '—') for _, k, f in COLUMNS) + ' |')
        print('(per-order columns: %s)' % ('NATS /varz and /proc deltas from the window start to the end of the '
                                         'audit, divided by the orders this load had accepted by then' if runs[0].get(
            'per_order_with_drain') else 'deltas over the timed window, divided by the orders accepted in it'))
    summary = {'environment': read_json(os.path.dirname(env_json), os.path.basename(env_json)), 'runs': runs,
               'medians': medians}
    if probe:
        summary['ceiling'] = print_ceiling(probe, medians)
    write_json(out_json, summary)
    print('summary (JSON): %s' % out_json)


def column_medians(rows):
    medians = {}
    for _, key, _ in COLUMNS:
        values = [row[key] for row in rows if isinstance(row.get(key), (int, float))]
        medians[key] = statistics.median(values) if values else None
    return medians


def print_ceiling(probe_runs, medians):
    """The ceiling probe's medians per mode (bench/, measured like Orderflow), and Orderflow's ratios to them: the
    whole saga to the five-hop probe, ingest alone (--roles orders) to the ingest probe."""
    probe = {mode: column_medians([flatten(r) for r in runs]) for mode, runs in probe_runs.items()}
    ratio = lambda a, b: a / b if a is not None and b else None
    saga, ingest = probe.get('saga', {}), probe.get('ingest', {})
    if medians.get('saga_per_s') is not None:  # the whole saga ran: hold it against the five-hop probe
        ratios = {'saga/s / probe saga/s': ratio(medians['saga_per_s'], saga.get('saga_per_s')),
                  'accepted/s / probe saga accepted/s': ratio(medians['accepted_per_s'],
                                                              saga.get('accepted_per_s'))}
    else:  # ingest alone: hold it against the ingest probe
        ratios = {'accepted/s / probe ingest accepted/s': ratio(medians['accepted_per_s'],
                                                                ingest.get('accepted_per_s'))}
    print()
    print('ceiling probe, same sitting (bench/; medians of %s):' % ', '.join(
        '%d %s run(s)' % (len(runs), mode) for mode, runs in probe_runs.items()))
    if saga:
        print('  five-hop saga: %s accepted/s, %s saga/s, accept p99 %s ms, placed→done p99 %s ms, %s NATS msgs, '
              '%s JVM µs and %s nats-server µs per order' % (
                  fmt(saga['accepted_per_s']), fmt(saga['saga_per_s']), fmt(saga['accept_p99_ms'], '%.1f'),
                  fmt(saga['shipped_p99_ms'], '%.1f'), fmt(saga['msgs'], '%.1f'), fmt(saga['jvm_us']),
                  fmt(saga['nats_us'])))
    if ingest:
        print('  ingest: %s accepted/s, accept p99 %s ms, %s NATS msgs, %s JVM µs and %s nats-server µs per order' % (
            fmt(ingest['accepted_per_s']), fmt(ingest['accept_p99_ms'], '%.1f'), fmt(ingest['msgs'], '%.1f'),
            fmt(ingest['jvm_us']), fmt(ingest['nats_us'])))
    for label, value in ratios.items():
        print('  ratio: Orderflow %s = %s' % (label, fmt(value, '%.2f')))
    return {'probe': probe, 'ratios': ratios}


# ------------------------------------------------------------------------------------------------ files

def read_wrk(path):
    for line in open(path):
        if line.startswith('WRK '):
            d = dict(x.split('=', 1) for x in line.split()[1:])
            return {k: (v if k == 'other' else float(v)) for k, v in d.items()}
    raise SystemExit('no WRK line in ' + path + ':\n' + open(path).read())


def read_json(directory, name):
    with open(os.path.join(directory, name)) as f:
        return json.load(f)


def write_json(path, value):
    with open(path, 'w') as f:
        json.dump(value, f, indent=1, ensure_ascii=False)


if __name__ == '__main__':
    commands = {'env': cmd_env, 'ports': cmd_ports, 'snap': cmd_snap, 'audit': cmd_audit, 'window': cmd_window,
                'report': cmd_report, 'summary': cmd_summary, 'scrape': cmd_scrape}
    commands[sys.argv[1]](*sys.argv[2:])
