#!/usr/bin/env python3
"""Measuring half of bin/list-benchmark (standard library only; the service's snapshots and the saga's report are
bin/lib/benchmark.py's).

  list-benchmark.py tokens OUT COUNT CUSTOMERS SEED   COUNT customers' bearer tokens ("customerId token" lines), minted
                                                       with ORDERFLOW_AUTH_HMAC_SECRET, customers drawn as the filler
                                                       names them
  list-benchmark.py placed-after FILL_JSON DAYS       the placedAfter= time of the lists: DAYS before the last filled
                                                       order was placed
  list-benchmark.py newest URL                        the id of the newest order an operator's list shows
  list-benchmark.py catchup OUT URL ORDER_ID T0 TIMEOUT PID READY_S
                                                       polls an operator's GET /orders?limit=1 until it answers 200 with
                                                       ORDER_ID first: seconds since T0 (epoch) to the first 200 and to
                                                       ORDER_ID, at most TIMEOUT s, failing early if PID dies (READY_S:
                                                       when the service was ready, recorded with them)
  list-benchmark.py summary OUT_JSON RUN_DIR          every phase's figures (RUN_DIR's files) as JSON and for people

The operator's token is read from ORDERFLOW_BENCH_TOKEN.
"""
import importlib.util
import json
import math
import os
import random
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

sys.dont_write_bytecode = True  # no __pycache__ in bin/lib
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchmark  # noqa: E402  (bin/lib/benchmark.py: snapshots, JSON files, CPU ticks)

# Issue 24: a list answer within p99 50 ms on a store of at least 1,000,000 orders across 10,000 customers.
ISSUE_ORDERS, ISSUE_CUSTOMERS, ISSUE_P99_MS = 1_000_000, 10_000, 50
KINDS = ('first', 'next', 'shipped', 'recent', 'open', 'customer')
KIND_TEXT = {'first': "a customer's first page", 'next': 'its next page (cursor)', 'shipped': 'status=SHIPPED',
             'recent': 'placedAfter=', 'open': "operator: unfinished, oldest first", 'customer': 'operator: customerId='}


def mint_module():
    spec = importlib.util.spec_from_file_location('mint_token', os.path.join(os.path.dirname(__file__),
                                                                            'mint-token.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def customer_id(number, customers):
    """As the filler (StoreFiller) names them: lb- and the number, zero-padded to at least 5 digits."""
    return 'lb-%0*d' % (max(5, len(str(customers - 1))), number)


def cmd_tokens(out, count, customers, seed):
    secret = os.environ.get('ORDERFLOW_AUTH_HMAC_SECRET', '')
    if len(secret) < 32:
        raise SystemExit('error: set ORDERFLOW_AUTH_HMAC_SECRET (at least 32 characters)')
    customers = int(customers)
    chosen = random.Random(int(seed)).sample(range(customers), min(int(count), customers))
    mint = mint_module()
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, 'w') as f:
        for number in sorted(chosen):
            subject = customer_id(number, customers)
            f.write('%s %s\n' % (subject, mint.token(secret, subject, hours=24, audience=mint.default_audience())))


def cmd_placed_after(fill_json, days):
    with open(fill_json) as f:
        last = parse_time(json.load(f)['lastPlacedAt'])
    print((last - timedelta(days=float(days))).strftime('%Y-%m-%dT%H:%M:%SZ'))


def parse_time(text):
    """Java's Instant.toString (…Z, up to nanoseconds) → an aware datetime (microseconds)."""
    text = text.rstrip('Z')
    if '.' in text:
        whole, fraction = text.split('.')
        text = whole + '.' + fraction[:6]
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def operator_list(url, query='limit=1', timeout=10):
    """(status, body as JSON or None) of an operator's GET /orders?QUERY."""
    request = urllib.request.Request(url + '/orders?' + query,
                                     headers={'Authorization': 'Bearer ' + os.environ['ORDERFLOW_BENCH_TOKEN']})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as e:
        return e.code, None
    except OSError:
        return None, None


def cmd_newest(url):
    status, body = operator_list(url)
    if status != 200 or not body['orders']:
        raise SystemExit('error: an operator\'s GET /orders?limit=1 answered %s' % status)
    print(body['orders'][0]['orderId'])


def cmd_catchup(out, url, order_id, t0, timeout, pid, ready_s):
    t0, deadline = float(t0), time.time() + float(timeout)
    first_200, newest_at_first_200, found, statuses = None, None, None, {}
    while time.time() < deadline:
        status, body = operator_list(url)
        now = time.time()
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        if status == 200:
            newest = body['orders'][0]['orderId'] if body['orders'] else None
            if first_200 is None:
                first_200, newest_at_first_200 = now - t0, newest
            if newest == order_id:
                found = now - t0
                break
        if not os.path.exists('/proc/%s' % pid):
            break
        time.sleep(0.1)
    result = {'ready_s': float(ready_s), 'first_200_s': first_200, 'order_found_s': found, 'order_id': order_id,
              'newest_at_first_200': newest_at_first_200, 'answers': statuses,
              'complete_at_first_200': newest_at_first_200 == order_id if first_200 is not None else None}
    benchmark.write_json(out, result)
    if found is None:
        raise SystemExit('error: the order list did not show order %s within %s s (answers: %s)' % (
            order_id, timeout, statuses))


# ------------------------------------------------------------------------------------------------ figures

def percentile(sorted_values, q):
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def latency_figures(micros):
    values = sorted(micros)
    return {'count': len(values), 'p50_ms': ms(percentile(values, 0.5)), 'p90_ms': ms(percentile(values, 0.9)),
            'p99_ms': ms(percentile(values, 0.99)), 'max_ms': ms(values[-1] if values else None)}


def ms(us):
    return None if us is None else us / 1000.0


def list_figures(samples_file, wrk_file, duration):
    """Every answer's kind, status and time (the script's samples), and wrk's own line."""
    by_kind, statuses, every = {}, {}, []
    for line in open(samples_file):
        kind, status, us = line.split()
        by_kind.setdefault(kind, []).append(int(us))
        statuses.setdefault(status, {}).setdefault(kind, 0)
        statuses[status][kind] += 1
        every.append(int(us))
    wrk = {}
    for line in open(wrk_file):
        if line.startswith('LIST '):
            wrk = {k: float(v) for k, v in (x.split('=', 1) for x in line.split()[1:])}
    out = latency_figures(every)
    out['per_s'] = len(every) / float(duration)
    out['non_200'] = {status: kinds for status, kinds in statuses.items() if status != '200'}
    out['kinds'] = {kind: latency_figures(by_kind[kind]) for kind in KINDS if kind in by_kind}
    out['wrk'] = {'requests': wrk.get('requests'), 'seconds': wrk.get('seconds'),
                  'p50_ms': ms(wrk.get('p50_us')), 'p90_ms': ms(wrk.get('p90_us')), 'p99_ms': ms(wrk.get('p99_us')),
                  'max_ms': ms(wrk.get('max_us')), 'non_2xx': wrk.get('non2xx'),
                  'socket_errors': wrk.get('socket_errors')}
    return out


def process_figures(run_dir):
    """CPU (cores) of each process over the timed window, and the heap (end of window, and the most sampled)."""
    start, end = benchmark.read_json(run_dir, 'start.json'), benchmark.read_json(run_dir, 'end.json')
    window = end['t'] - start['t']
    cores = {}
    for name, ticks in end['cpu'].items():
        if ticks is not None and start['cpu'].get(name) is not None:
            cores[name] = (ticks - start['cpu'][name]) / benchmark.CLK_TCK / window
    snaps = [start, end]
    series = os.path.join(run_dir, 'series.jsonl')
    if os.path.exists(series):
        snaps += [json.loads(line) for line in open(series)]
    backlog = lambda snap: sum(c.get('pending', 0) + c.get('ack_pending', 0) for c in snap['consumers'].values())
    return {'window_s': window, 'cpu_cores': cores, 'heap_used_end_mib': end['heap_used'] / 2 ** 20,
            'heap_used_max_mib': max(snap['heap_used'] for snap in snaps) / 2 ** 20,
            'consumer_backlog_start': backlog(start), 'consumer_backlog_max': max(backlog(snap) for snap in snaps)}


def optional_json(run_dir, name):
    path = os.path.join(run_dir, name)
    return benchmark.read_json(run_dir, name) if os.path.exists(path) else None


def cmd_summary(out_json, run_dir):
    env = benchmark.read_json(run_dir, 'env.json')
    fill = benchmark.read_json(run_dir, 'fill.json')
    catchup = benchmark.read_json(run_dir, 'catchup.json')
    run = benchmark.read_json(run_dir, 'run.json')
    lists = list_figures(os.path.join(run_dir, 'list-samples.txt'), os.path.join(run_dir, 'list-wrk.txt'),
                         float(env['duration']))
    summary = {'environment': env, 'fill': fill, 'catchup': catchup, 'lists': lists,
               'saga': {k: run.get(k) for k in ('rate', 'accepted_per_s', 'accept_p99_ms', 'saga_per_s',
                                                'shipped_p99_ms', 'other_answers', 'socket_errors')},
               'saga_audit': run.get('audit'),
               'warmup_audit': (optional_json(run_dir, 'warmup-audit.json') or {}).get('audit'), 'sustain': (run.get('sustain') or {}).get('verdict'),
               'processes': process_figures(run_dir), 'index': optional_json(run_dir, 'index.json'),
               'rebuild': optional_json(run_dir, 'rebuild.json')}
    failures = []
    if lists['non_200']:
        failures.append('%d list answers other than 200' % sum(sum(k.values()) for k in lists['non_200'].values()))
    if not (summary['saga_audit'] or {}).get('ok'):
        failures.append('the orders placed under load did not all become terminal, or a consumer kept a backlog')
    summary['failures'] = failures
    summary['wall_s'] = time.time() - float(env['t_start'])
    benchmark.write_json(out_json, summary)
    print_summary(summary)
    print('summary (JSON): %s' % out_json)
    if failures:
        print('LIST BENCHMARK FAILED: %s' % '; '.join(failures), file=sys.stderr)
        sys.exit(1)


def print_summary(s):
    f, c, l, p, e = s['fill'], s['catchup'], s['lists'], s['processes'], s['environment']
    fmt = benchmark.fmt
    print('store:          %s orders of %s customers: %s SHIPPED, %s CANCELLED, %s open (PENDING), placed %s .. %s' % (
        f'{f["orders"]:,}', f'{f["customers"]:,}', f'{f["shipped"]:,}', f'{f["cancelled"]:,}', f'{f["open"]:,}',
        f['firstPlacedAt'][:10], f['lastPlacedAt'][:19]))
    print('fill:           %.1f s of publishing (%s orders/s, %s messages), %.1f s to move %d consumers past them' % (
        f['publishSeconds'], fmt(f['orders'] / f['publishSeconds'] if f['publishSeconds'] else None),
        f'{f["ordersStreamMessages"] + f["shippingStreamMessages"]:,}', f['resetSeconds'], f['consumersReset']))
    print('index catch-up: the service was ready %s s after its start, its lists answered 200 after %s s and showed the '
          'last filled order after %s s%s' % (fmt(c['ready_s'], '%.1f'), fmt(c['first_200_s'], '%.1f'),
                                               fmt(c['order_found_s'], '%.1f'),
             '' if c['complete_at_first_200'] in (True, None) else
             ' (the first 200 did NOT yet show it: the index answered before holding the whole replay)'))
    index = s.get('index') or {}
    if index:
        print('index store:    %s MiB after the catch-up, %s MiB after the measurement (order-index/)' % (
            fmt(index.get('after_catchup_bytes', 0) / 2 ** 20, '%.1f'), fmt(index.get('after_run_bytes', 0) / 2 ** 20,
                                                                             '%.1f')))
        for line in index.get('log', []):
            print('                %s' % line)
    print('lists:          %d answers in %s s (%.1f/s, asked %s/s): p50 %s, p90 %s, p99 %s, max %s ms; '
          'answers other than 200: %s' % (
              l['count'], e['duration'], l['per_s'], e['list_rate'], fmt(l['p50_ms'], '%.1f'), fmt(l['p90_ms'], '%.1f'),
              fmt(l['p99_ms'], '%.1f'), fmt(l['max_ms'], '%.1f'),
              json.dumps(l['non_200']) if l['non_200'] else 'none'))
    if f['orders'] >= ISSUE_ORDERS and f['customers'] >= ISSUE_CUSTOMERS:
        print('                issue 24 asks p99 <= %d ms on this size of store: %s' % (
            ISSUE_P99_MS, 'held' if l['p99_ms'] is not None and l['p99_ms'] <= ISSUE_P99_MS else 'NOT held'))
    else:
        print('                (a smaller store than issue 24\'s %s orders of %s customers: no verdict on its p99)' % (
            f'{ISSUE_ORDERS:,}', f'{ISSUE_CUSTOMERS:,}'))
    for kind, k in l['kinds'].items():
        print('  %-40s %5d  p50 %6s  p90 %6s  p99 %6s  max %6s ms' % (
            KIND_TEXT.get(kind, kind), k['count'], fmt(k['p50_ms'], '%.1f'), fmt(k['p90_ms'], '%.1f'),
            fmt(k['p99_ms'], '%.1f'), fmt(k['max_ms'], '%.1f')))
    w = l['wrk']
    print('                (wrk\'s own histogram: p50 %s, p90 %s, p99 %s, max %s ms; socket errors %s)' % (
        fmt(w['p50_ms'], '%.1f'), fmt(w['p90_ms'], '%.1f'), fmt(w['p99_ms'], '%.1f'), fmt(w['max_ms'], '%.1f'),
        fmt(w['socket_errors'])))
    g, a = s['saga'], s['saga_audit'] or {}
    print('saga meanwhile: %s orders/s accepted (paced at %s), %s orders/s terminal; accept p99 %s ms, '
          'placed→shipped p99 %s ms; %s' % (
              fmt(g['accepted_per_s']), fmt(g['rate']), fmt(g['saga_per_s']), fmt(g['accept_p99_ms'], '%.1f'),
              fmt(g['shipped_p99_ms'], '%.1f'),
              'every accepted order terminal and every consumer idle after %.1f s' % a['waited_s'] if a.get('ok')
              else 'NOT drained: %s' % json.dumps(a)))
    w = s.get('warmup_audit')
    print('consumers:      %s; in the timed part at most %d messages pending or unacknowledged (the service\'s gauges, '
          'read every 5 s: the saga\'s work in flight)' % (
              'no backlog after the warm-up (every durable consumer idle by nats /jsz)' if w and w.get('ok') else
              'after the warm-up: %s' % json.dumps(w) if w else 'no warm-up', p['consumer_backlog_max']))
    print('processes:      CPU over the window (cores): %s; JVM heap used %s MiB at the end, at most %s MiB sampled' % (
        ', '.join('%s %.2f' % kv for kv in sorted(p['cpu_cores'].items())),
        fmt(p['heap_used_end_mib']), fmt(p['heap_used_max_mib'])))
    r = s.get('rebuild')
    if r:
        orders = f['orders'] + (s['saga_audit'] or {}).get('accepted', 0)
        print('rebuild:        index deleted, service restarted: ready in %s s, lists 200 after %s s, the newest '
              'order listed after %s s (%s orders in the streams: filled, and accepted under load); index file %s MiB'
              % (fmt(r.get('ready_s'), '%.1f'), fmt(r.get('first_200_s'), '%.1f'), fmt(r.get('order_found_s'), '%.1f'),
                 f'{orders:,}', fmt(r.get('index_bytes', 0) / 2 ** 20, '%.1f')))
        if r.get('complete_at_first_200') is False:
            print('                (the first 200 did NOT yet show the newest order: the index answered before '
                  'holding the whole replay)')
        for line in r.get('log', []):
            print('                %s' % line)
    print('wall time:      %.1f min from the start of bin/list-benchmark to this summary' % (s['wall_s'] / 60))


if __name__ == '__main__':
    commands = {'tokens': cmd_tokens, 'placed-after': cmd_placed_after, 'newest': cmd_newest,
                'catchup': cmd_catchup, 'summary': cmd_summary}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        raise SystemExit(__doc__)
    commands[sys.argv[1]](*sys.argv[2:])
