// Orderflow's operator console. Plain script, no build step. Everything shown that came from the service (customer
// ids, SKUs, reasons) is inserted as text (textContent), never as HTML; the token travels only in the Authorization
// header and is kept only in this tab's sessionStorage.
'use strict';

(() => {
  const TOKEN_KEY = 'orderflow.console.token';
  const STUCK_STATUSES = 'PENDING,RESERVED,PAID,CONFIRMED';
  const $ = (id) => document.getElementById(id);

  let token = sessionStorage.getItem(TOKEN_KEY);
  let flowAbort = null;
  let chart = null;
  let chartData = [[], [], [], [], []];
  let lastDeadLetterMark = null;
  let deadLetterOrders = new Set();
  // How far the page got, for a test (or a person with the inspector) to read: loaded, started, ready.
  document.documentElement.dataset.console = 'loaded';

  // ---- small DOM helpers: text only ----
  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }
  function cell(row, text, className) {
    const td = el('td', text, className);
    row.appendChild(td);
    return td;
  }
  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }
  function show(node, visible) {
    node.hidden = !visible;
  }
  function message(text, info) {
    const box = $('message');
    box.textContent = text || '';
    box.className = info ? 'message info' : 'message';
    show(box, !!text);
  }
  function setStatus(state, text) {
    const status = $('status');
    status.className = 'status ' + state;
    status.textContent = text;
  }
  function number(value) {
    return value === null || value === undefined ? '–' : String(value);
  }
  function time(iso) {
    return iso ? new Date(iso).toLocaleString() : '–';
  }
  function money(total) {
    return total ? (total.amountMinor / 100).toFixed(2) + ' ' + total.currency : '–';
  }
  function link(text, onClick) {
    const a = el('a', text);
    a.href = '#';
    a.addEventListener('click', (event) => { event.preventDefault(); onClick(); });
    return a;
  }

  // ---- talking to the service ----
  class Refused extends Error {
    constructor(status, detail) { super(detail); this.status = status; }
  }
  async function api(method, path, body) {
    const headers = { Authorization: 'Bearer ' + token };
    const init = { method, headers, cache: 'no-store', signal: AbortSignal.timeout(15000) };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (response.status === 401 || response.status === 403) {
      const problem = await response.json().catch(() => ({}));
      throw new Refused(response.status, problem.detail || ('HTTP ' + response.status));
    }
    if (response.status === 204) return null;
    const json = await response.json().catch(() => null);
    if (!response.ok) {
      const error = new Error((json && json.detail) || ('HTTP ' + response.status));
      error.status = response.status;
      throw error;
    }
    return json;
  }
  function failed(error) {
    if (error instanceof Refused) {
      refused(error.message);
    } else {
      message(error.message);
    }
  }

  // ---- signing in and out ----
  async function start() {
    document.documentElement.dataset.console = 'started';
    $('signin-button').addEventListener('click', () => signIn($('token').value.trim()));
    $('signout').addEventListener('click', signOut);
    $('search-order').addEventListener('click', () => findOrder($('search-input').value.trim()));
    $('search-customer').addEventListener('click', () => findCustomer($('search-input').value.trim()));
    $('stuck-button').addEventListener('click', findStuck);
    $('dead-letters-refresh').addEventListener('click', loadDeadLetters);
    $('send-back-selected').addEventListener('click', () => actOn(selected(), 'send-back'));
    $('discard-selected').addEventListener('click', () => actOn(selected(), 'discard'));
    if (!token) {
      token = await developmentToken();
    }
    if (token) {
      signIn(token);
    } else {
      showSignIn();
    }
    document.documentElement.dataset.console = 'ready';
  }
  async function developmentToken() {
    try {
      // Never let the sign-in wait on this: without an answer in a few seconds, ask for a token instead.
      const response = await fetch('/console/dev-token', { cache: 'no-store', signal: AbortSignal.timeout(5000) });
      if (!response.ok) return null;
      message('Development mode: signed in with the development operator token.', true);
      return (await response.json()).token;
    } catch (e) {
      return null;
    }
  }
  function showSignIn() {
    show($('signin'), true);
    show($('console'), false);
    show($('signout'), false);
    setStatus('off', 'signed out');
  }
  function signIn(candidate) {
    if (!candidate) {
      message('Paste an operator token first.');
      return;
    }
    token = candidate;
    sessionStorage.setItem(TOKEN_KEY, token);
    $('token').value = '';
    show($('signin'), false);
    show($('console'), true);
    show($('signout'), true);
    watchFlow();
    loadDeadLetters();
  }
  function signOut() {
    token = null;
    sessionStorage.removeItem(TOKEN_KEY);
    if (flowAbort) flowAbort.abort();
    message('');
    showSignIn();
  }
  function refused(detail) {
    signOut();
    message('The service refused this token: ' + detail);
  }

  // ---- the live flow: Server-Sent Events over fetch (EventSource cannot send the Authorization header) ----
  function sseParser(onEvent) {
    let buffered = '';
    let event = 'message';
    let data = [];
    return (text) => {
      buffered += text;
      const lines = buffered.split(/\r\n|\r|\n/);
      buffered = lines.pop();
      for (const line of lines) {
        if (line === '') {
          if (data.length) onEvent(event, data.join('\n'));
          event = 'message';
          data = [];
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let value = colon < 0 ? '' : line.slice(colon + 1);
          if (value.startsWith(' ')) value = value.slice(1);
          if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
        }
      }
    };
  }
  async function watchFlow() {
    if (flowAbort) flowAbort.abort();
    const abort = new AbortController();
    flowAbort = abort;
    let delay = 500;
    while (!abort.signal.aborted && token) {
      let watchdog = null;
      try {
        setStatus('reconnecting', 'connecting…');
        const response = await fetch('/console/flow', {
          headers: { Authorization: 'Bearer ' + token }, cache: 'no-store', signal: abort.signal });
        if (response.status === 401 || response.status === 403) {
          const problem = await response.json().catch(() => ({}));
          refused(problem.detail || ('HTTP ' + response.status));
          return;
        }
        if (!response.ok || !response.body) throw new Error('HTTP ' + response.status);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let lastSeen = Date.now();
        // A connection that went quiet (a proxy or a network that dropped it silently) is replaced.
        watchdog = setInterval(() => { if (Date.now() - lastSeen > 5000) reader.cancel(); }, 1000);
        const parse = sseParser((event, data) => {
          lastSeen = Date.now();
          delay = 500;
          onFlow(event, JSON.parse(data));
        });
        setStatus('live', 'live');
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parse(value);
        }
      } catch (e) {
        if (abort.signal.aborted) return;
      } finally {
        if (watchdog) clearInterval(watchdog);
      }
      if (abort.signal.aborted || !token) return;
      setStatus('reconnecting', 'reconnecting…');
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10000);
    }
  }
  function onFlow(event, snapshot) {
    if (event === 'flow') {
      chartData = [[], [], [], [], []];
      for (const point of snapshot.chart || []) addPoint(point);
    } else if (event === 'tick' && snapshot.point) {
      addPoint(snapshot.point);
    }
    if (snapshot.at) render(snapshot);
  }
  function addPoint(point) {
    for (let i = 0; i < 5; i++) chartData[i].push(point[i]);
    if (chartData[0].length > 300) chartData.forEach((series) => series.shift());
  }
  function render(snapshot) {
    $('accepted-rate').textContent = number(snapshot.acceptedPerSecond);
    $('completed-rate').textContent = number(snapshot.completedPerSecond);
    $('dead-letter-count').textContent = number(snapshot.deadLetters);
    $('breakers').textContent = (snapshot.breakers || []).map((b) => b.state).join(', ') || 'not in this process';
    if (!snapshot.cluster) {
      setStatus('reconnecting', 'live, broker not answering');
    } else {
      setStatus('live', 'live');
    }
    const steps = $('steps').tBodies[0];
    clear(steps);
    for (const step of snapshot.steps || []) {
      const row = el('tr');
      row.dataset.step = step.reason ? step.step + ':' + step.reason : step.step;
      cell(row, step.reason ? step.step + ' (' + step.reason + ')' : step.step);
      cell(row, step.status);
      cell(row, number(step.waiting !== undefined ? step.waiting : step.total), 'number waiting');
      cell(row, number(step.passedLastMinute), 'number passed');
      cell(row, step.source === 'cluster' ? 'cluster' : 'this process', 'muted');
      steps.appendChild(row);
    }
    const consumers = $('consumers').tBodies[0];
    clear(consumers);
    for (const consumer of snapshot.consumers || []) {
      const row = el('tr');
      row.dataset.consumer = consumer.consumer;
      cell(row, consumer.consumer);
      cell(row, (consumer.events || []).join(', '), 'muted');
      cell(row, consumer.pending, 'number');
      cell(row, consumer.ackPending, 'number');
      cell(row, consumer.redelivered, 'number');
      consumers.appendChild(row);
    }
    drawChart();
    // The count and the last sequence together: a letter sent back and a new one within a tick leave the count.
    const mark = snapshot.deadLetters + ':' + snapshot.deadLetterSequence;
    if (snapshot.deadLetters !== null && mark !== lastDeadLetterMark) {
      lastDeadLetterMark = mark;
      loadDeadLetters();
    }
  }
  function drawChart() {
    if (typeof uPlot === 'undefined') return;
    const box = $('chart');
    if (!chart) {
      chart = new uPlot({
        width: Math.max(400, box.clientWidth - 20),
        height: 220,
        scales: { x: { time: true }, rate: {}, count: {} },
        series: [
          {},
          { label: 'accepted / s', scale: 'rate', stroke: '#1f6feb', width: 2 },
          { label: 'completed / s', scale: 'rate', stroke: '#2da44e', width: 2 },
          { label: 'waiting', scale: 'count', stroke: '#bf8700', width: 1 },
          { label: 'dead letters', scale: 'count', stroke: '#cf222e', width: 1 },
        ],
        axes: [{}, { scale: 'rate', label: 'orders / s' }, { scale: 'count', side: 1, label: 'orders', grid: { show: false } }],
      }, chartData, box);
    } else {
      chart.setData(chartData);
    }
  }

  // ---- finding orders ----
  async function findOrder(orderId) {
    if (!orderId) return;
    message('');
    clear($('order-view'));
    clear($('timeline'));
    clear($('customer-orders'));
    try {
      const order = await api('GET', '/orders/' + encodeURIComponent(orderId)).catch((e) => {
        if (e.status === 404) return null;
        throw e;
      });
      const timeline = await api('GET', '/admin/orders/' + encodeURIComponent(orderId) + '/events').catch((e) => {
        if (e.status === 404) return null;
        throw e;
      });
      if (!order && !timeline) {
        $('order-view').appendChild(el('p', 'There is no order ' + orderId + '.'));
        return;
      }
      renderOrder(orderId, order);
      if (timeline) renderTimeline(timeline);
    } catch (e) {
      failed(e);
    }
  }
  function renderOrder(orderId, order) {
    const view = $('order-view');
    const title = el('h3', 'Order ' + orderId);
    view.appendChild(title);
    if (!order) {
      view.appendChild(el('p', 'No order view (its OrderPlaced is missing or unsound): only stored events below.', 'muted'));
      return;
    }
    const status = el('span', order.status, 'badge ' + (order.status === 'SHIPPED' ? 'ok' : order.status === 'CANCELLED' ? 'dead' : 'slow'));
    status.id = 'order-status';
    title.appendChild(status);
    if (deadLetterOrders.has(orderId)) title.appendChild(el('span', 'dead letter', 'badge dead'));
    const facts = el('table');
    const rows = [['customer', order.customerId], ['total', money(order.total)]];
    if (order.cancellationReason) rows.push(['cancellation reason', order.cancellationReason]);
    for (const transition of order.transitions || []) rows.push([transition.status, time(transition.at)]);
    for (const [name, value] of rows) {
      const row = el('tr');
      row.appendChild(el('th', name));
      cell(row, value);
      facts.appendChild(row);
    }
    view.appendChild(facts);
    const items = el('table');
    items.appendChild(headRow(['sku', 'quantity', 'unit price']));
    for (const item of order.items || []) {
      const row = el('tr');
      cell(row, item.sku);
      cell(row, item.quantity, 'number');
      cell(row, money(item.unitPrice), 'number');
      items.appendChild(row);
    }
    view.appendChild(items);
  }
  function renderTimeline(timeline) {
    const box = $('timeline');
    box.appendChild(el('h3', 'Timeline'));
    if (timeline.waiting) {
      const waiting = timeline.waiting;
      const line = el('p', 'Waiting after ' + waiting.after + ' for ' + Math.round(waiting.forMillis / 1000) + ' s at '
        + (waiting.consumers.join(', ') || 'nobody'));
      line.id = 'timeline-waiting';
      if (waiting.slow) line.appendChild(el('span', 'slow', 'badge slow'));
      box.appendChild(line);
    }
    if (timeline.failed) {
      const line = el('p', 'Failed at ' + timeline.failed.consumer + ' (' + timeline.failed.subject + '): '
        + timeline.failed.reason + ' — dead letter #' + timeline.failed.deadLetter);
      line.id = 'timeline-failed';
      line.appendChild(el('span', 'dead letter', 'badge dead'));
      box.appendChild(line);
    }
    const table = el('table');
    table.id = 'timeline-events';
    table.appendChild(headRow(['stored', 'event', 'stream #', 'after', 'details']));
    for (const event of timeline.events) {
      const row = el('tr');
      row.dataset.type = event.type;
      cell(row, time(event.storedAt));
      const type = cell(row, event.type);
      if (event.slowest) type.appendChild(el('span', 'slowest step', 'badge slow'));
      if (event.deadLetter) type.appendChild(el('span', 'dead letter #' + event.deadLetter, 'badge dead'));
      if (event.problem) type.appendChild(el('span', event.problem, 'badge dead'));
      cell(row, event.stream + ' #' + event.sequence, 'muted');
      cell(row, event.sincePreviousMillis === null || event.sincePreviousMillis === undefined ? '' : '+' + event.sincePreviousMillis + ' ms', 'number');
      cell(row, event.details || '', 'details');
      table.appendChild(row);
    }
    box.appendChild(table);
  }
  function headRow(names) {
    const row = el('tr');
    for (const name of names) row.appendChild(el('th', name));
    return row;
  }
  function orderTable(target, orders, empty) {
    clear(target);
    if (!orders.length) {
      target.appendChild(el('p', empty, 'muted'));
      return;
    }
    const table = el('table');
    table.appendChild(headRow(['order', 'customer', 'status', 'total', 'placed', 'updated']));
    for (const order of orders) {
      const row = el('tr');
      row.dataset.orderId = order.orderId;
      const id = cell(row, '');
      id.appendChild(link(order.orderId, () => { $('search-input').value = order.orderId; findOrder(order.orderId); }));
      if (deadLetterOrders.has(order.orderId)) id.appendChild(el('span', 'dead letter', 'badge dead'));
      cell(row, order.customerId);
      cell(row, order.status + (order.cancellationReason ? ' (' + order.cancellationReason + ')' : ''));
      cell(row, money(order.total), 'number');
      cell(row, time(order.placedAt));
      cell(row, time(order.updatedAt));
      table.appendChild(row);
    }
    target.appendChild(table);
  }
  async function listOrders(query) {
    try {
      return await api('GET', '/orders?' + query);
    } catch (e) {
      if (e.status === 404 || e.status === 405) {
        throw new Error('This service cannot list orders yet (GET /orders is missing).');
      }
      throw e;
    }
  }
  async function findCustomer(customerId) {
    if (!customerId) return;
    message('');
    clear($('order-view'));
    clear($('timeline'));
    const target = $('customer-orders');
    clear(target);
    try {
      const page = await listOrders('customerId=' + encodeURIComponent(customerId) + '&limit=50');
      const heading = el('h3', 'Orders of customer ' + customerId);
      target.appendChild(heading);
      const list = el('div');
      target.appendChild(list);
      orderTable(list, page.orders || [], 'No orders of customer ' + customerId + '.');
    } catch (e) {
      failed(e);
    }
  }
  async function findStuck() {
    message('');
    const seconds = Math.max(1, Number($('stuck-seconds').value) || 60);
    const before = new Date(Date.now() - seconds * 1000).toISOString();
    try {
      const page = await listOrders('status=' + STUCK_STATUSES + '&placedBefore=' + encodeURIComponent(before)
        + '&sort=oldest&limit=100');
      orderTable($('stuck-orders'), page.orders || [], 'No order has been on its way for more than ' + seconds + ' s.');
    } catch (e) {
      failed(e);
    }
  }

  // ---- repairing dead letters ----
  async function loadDeadLetters() {
    try {
      const page = await api('GET', '/admin/dead-letters?limit=1000');
      renderDeadLetters(page.deadLetters);
    } catch (e) {
      failed(e);
    }
  }
  function renderDeadLetters(letters) {
    deadLetterOrders = new Set(letters.map((letter) => letter.orderId).filter(Boolean));
    const body = $('dead-letters').tBodies[0];
    clear(body);
    if (!letters.length) {
      const row = el('tr');
      const empty = cell(row, 'No dead letters.', 'muted');
      empty.colSpan = 9;
      body.appendChild(row);
      return;
    }
    for (const letter of letters) {
      const row = el('tr');
      row.dataset.sequence = letter.sequence;
      if (letter.orderId) row.dataset.orderId = letter.orderId;
      const box = el('input');
      box.type = 'checkbox';
      box.className = 'select';
      box.value = letter.sequence;
      cell(row, '').appendChild(box);
      cell(row, letter.sequence, 'number');
      cell(row, letter.consumer);
      cell(row, letter.subject);
      cell(row, number(letter.deliveries), 'number');
      cell(row, letter.reason, 'reason');
      const order = cell(row, '', 'order');
      if (letter.orderId) {
        order.appendChild(link(letter.orderId, () => { $('search-input').value = letter.orderId; findOrder(letter.orderId); }));
      } else {
        order.appendChild(el('span', 'no order', 'muted'));
      }
      cell(row, time(letter.storedAt));
      const actions = cell(row, '');
      const back = el('button', 'Send back', 'send-back');
      back.type = 'button';
      back.addEventListener('click', () => actOn([letter.sequence], 'send-back'));
      const discard = el('button', 'Discard', 'discard');
      discard.type = 'button';
      discard.addEventListener('click', () => actOn([letter.sequence], 'discard'));
      actions.appendChild(back);
      actions.appendChild(discard);
      body.appendChild(row);
    }
  }
  function selected() {
    return Array.from(document.querySelectorAll('#dead-letters input.select:checked')).map((box) => Number(box.value));
  }
  function ask(text) {
    const dialog = $('confirm-dialog');
    $('confirm-text').textContent = text;
    return new Promise((resolve) => {
      const answer = (yes) => {
        $('confirm-yes').onclick = null;
        $('confirm-no').onclick = null;
        dialog.close();
        resolve(yes);
      };
      $('confirm-yes').onclick = () => answer(true);
      $('confirm-no').onclick = () => answer(false);
      dialog.showModal();
    });
  }
  async function actOn(sequences, action) {
    if (!sequences.length) {
      message('Select at least one dead letter first.');
      return;
    }
    const what = action === 'send-back'
      ? 'Send ' + sequences.length + ' dead letter(s) back to their original subjects (#' + sequences.join(', #') + ')? Their consumers handle them anew.'
      : 'Discard ' + sequences.length + ' dead letter(s) for good (#' + sequences.join(', #') + ')?';
    if (!(await ask(what))) return;
    try {
      const result = await api('POST', '/admin/dead-letters/' + action, { sequences });
      const failures = result.results.filter((r) => r.outcome !== 'sent-back' && r.outcome !== 'discarded');
      message(failures.length
        ? failures.map((r) => '#' + r.sequence + ': ' + r.outcome + (r.detail ? ' (' + r.detail + ')' : '')).join('\n')
        : (action === 'send-back' ? 'Sent back: #' : 'Discarded: #') + sequences.join(', #'), !failures.length);
    } catch (e) {
      failed(e);
    }
    loadDeadLetters();
  }

  document.addEventListener('DOMContentLoaded', start);
})();
