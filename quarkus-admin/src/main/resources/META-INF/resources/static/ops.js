// Sluice web UI, operations: the alerts the server raised, where they go, and silences. Uses app.js's helpers.
'use strict';

pages.alerts = async () => {
  app.innerHTML = '<h1>Alerts</h1><div class="live-error"></div><p class="muted" id="receivers"></p>'
    + '<h2>Firing</h2><table id="open-alerts"></table>'
    + '<h2>Silences</h2><table id="silences"></table>'
    + '<h2>Silence alerts for a time</h2><form class="card" id="new-silence"><div class="grid">'
    + '<label>Kind <select name="kind" id="silence-kind"><option value="">every kind</option></select></label>'
    + '<label>Subject <input name="subject" id="silence-subject" list="silence-subjects" placeholder="shop, cache, orders/*"></label><datalist id="silence-subjects"></datalist>'
    + '<label>For <select name="minutes"><option value="30">30 minutes</option><option value="60">1 hour</option><option value="240">4 hours</option>'
    + '<option value="1440">1 day</option><option value="10080">1 week</option></select></label>'
    + field('comment', 'Why', 'database upgrade') + '</div><p class="muted">A silenced alert is still raised and shown here; it is sent once the silence ends, if it still fires.</p>'
    + '<div id="silence-problems"></div><div class="actions"><button class="primary" type="submit">Silence</button></div></form>'
    + '<h2>History</h2><table id="alert-history"></table>';
  const [first, sources, sinks, pipelines] = await Promise.all([api('GET', '/alerts'), api('GET', '/sources'), api('GET', '/sinks'), api('GET', '/pipelines')]);
  document.getElementById('silence-kind').innerHTML += first.kinds.map(k => '<option value="' + esc(k.kind) + '">' + esc(k.kind) + ' — ' + esc(k.description) + '</option>').join('');
  document.getElementById('silence-subjects').innerHTML = [...sources.map(s => s.name), ...sinks.map(s => s.name), ...pipelines.map(p => p.name)]
    .map(n => '<option value="' + esc(n) + '">').join('');
  const row = a => '<tr><td>' + badge(a.open ? 'firing' : 'resolved') + '</td><td>' + esc(a.kind) + '</td><td><code>' + esc(a.subject) + '</code></td><td>'
    + esc(a.summary) + '</td><td>' + when(a.startedAt) + '</td><td>' + when(a.resolvedAt) + '</td><td>'
    + (a.silencedBy ? badge('silenced') + ' ' : '') + (a.firingSent ? 'sent' + (a.resolvedSent ? ', resolved sent' : '') : a.silencedBy ? '' : 'not sent yet')
    + (a.deliveryError ? '<div class="bad">' + esc(a.deliveryError) + '</div>' : '') + '</td><td class="actions">'
    + (a.open ? '<button data-silence-kind="' + esc(a.kind) + '" data-silence-subject="' + esc(a.subject) + '">Silence…</button>' : '') + '</td></tr>';
  const head = '<tr><th></th><th>Kind</th><th>Subject</th><th>What</th><th>Since</th><th>Resolved</th><th>Delivery</th><th></th></tr>';
  const load = async () => {
    const [overview, silences] = await Promise.all([api('GET', '/alerts'), api('GET', '/alerts/silences')]);
    document.getElementById('receivers').textContent = overview.receivers.length ? 'Sent to ' + overview.receivers.join(', ') + '.'
      : 'No receiver is configured: alerts are shown here only (see sluice.alerts.webhook-urls and sluice.alerts.slack-urls).';
    document.getElementById('open-alerts').innerHTML = head + (overview.open.map(row).join('') || '<tr><td colspan="8" class="muted">Nothing is firing.</td></tr>');
    document.getElementById('alert-history').innerHTML = head + (overview.history.map(row).join('') || '<tr><td colspan="8" class="muted">No alert yet.</td></tr>');
    document.getElementById('silences').innerHTML = '<tr><th>Kind</th><th>Subject</th><th>Until</th><th>Why</th><th>By</th><th></th></tr>'
      + (silences.map(s => '<tr><td>' + esc(s.kind || 'every kind') + '</td><td><code>' + esc(s.subject || '*') + '</code></td><td>' + when(s.endsAt) + '</td><td>'
        + esc(s.comment) + '</td><td>' + esc(s.createdBy) + '</td><td><button data-end-silence="' + s.id + '">End now</button></td></tr>').join('')
        || '<tr><td colspan="6" class="muted">No silence.</td></tr>');
  };
  app.addEventListener('click', async ev => {
    const silence = ev.target.closest('button[data-silence-kind]');
    const end = ev.target.closest('button[data-end-silence]');
    if (silence) {
      document.getElementById('silence-kind').value = silence.dataset.silenceKind;
      document.getElementById('silence-subject').value = silence.dataset.silenceSubject;
      document.getElementById('new-silence').scrollIntoView();
    }
    if (end) await act('DELETE', '/alerts/silences/' + end.dataset.endSilence, undefined, () => { toast('Silence ended'); load(); });
  });
  document.getElementById('new-silence').addEventListener('submit', async ev => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    try {
      await api('POST', '/alerts/silences', {kind: f.get('kind') || null, subject: f.get('subject') || null, minutes: Number(f.get('minutes')), comment: f.get('comment') || null});
      document.getElementById('silence-problems').innerHTML = '';
      toast('Silenced');
      load();
    } catch (e) { document.getElementById('silence-problems').innerHTML = errorHtml(e); }
  });
  live(load);
};

const CHART_TITLES = {'events-per-second': 'Events per second', 'written-per-second': 'Changes written per second', 'freshness-p99': 'Freshness p99 (commit to target)',
  'lag': 'Capture lag', 'dead-letters': 'New dead letters'};

/** One measure over the last hour as an inline SVG line; gaps where nothing was measured. */
function lineChart(line, everySeconds) {
  const w = 320, h = 90, pad = 4;
  const values = line.points.map(p => p.value);
  const top = Math.max(1, ...values.filter(v => v !== null));
  const span = 3600 / everySeconds;
  const x = i => pad + (w - 2 * pad) * (span - (line.points.length - 1 - i)) / span;
  const y = v => h - pad - (h - 2 * pad) * v / top;
  const paths = [];
  let current = [];
  line.points.forEach((p, i) => {
    if (p.value === null) { if (current.length) paths.push(current); current = []; return; }
    current.push(x(i).toFixed(1) + ',' + y(p.value).toFixed(1));
  });
  if (current.length) paths.push(current);
  const last = values.length ? values[values.length - 1] : null;
  const fmt = v => v === null ? '–' : line.unit === 'ms' ? ms(Math.round(v)) : v < 10 && v % 1 ? v.toFixed(1) : rate(v);
  return '<figure class="chart-line" data-measure="' + esc(line.measure) + '"><figcaption>' + esc(CHART_TITLES[line.measure] || line.measure)
    + ' <b>' + fmt(last) + '</b> <span class="muted">(max ' + fmt(values.some(v => v !== null) ? top : null) + ')</span></figcaption>'
    + '<svg viewBox="0 0 ' + w + ' ' + h + '" width="' + w + '" height="' + h + '" role="img" aria-label="' + esc(CHART_TITLES[line.measure]) + ' over the last hour">'
    + '<line x1="0" y1="' + (h - pad) + '" x2="' + w + '" y2="' + (h - pad) + '" class="axis"/>'
    + paths.map(p => p.length === 1 ? '<circle cx="' + p[0].split(',')[0] + '" cy="' + p[0].split(',')[1] + '" r="1.5"/>' : '<polyline points="' + p.join(' ') + '"/>').join('')
    + '</svg><div class="muted chart-axis"><span>−1 h</span><span>now</span></div></figure>';
}

/** Fills element {@code id} with the charts of an API path under /charts, and again every ten seconds while the page is open. */
function charts(id, path) {
  const draw = async () => {
    const el = document.getElementById(id);
    if (!el) return;
    try {
      const c = await api('GET', '/charts' + path);
      el.innerHTML = c.lines.map(l => lineChart(l, c.everySeconds)).join('')
        + (c.lines.every(l => l.points.length === 0) ? '<p class="muted">The server samples every ' + c.everySeconds + ' s; the first points appear shortly.</p>' : '');
    } catch (e) { el.innerHTML = errorHtml(e); }
  };
  draw();
  setInterval(draw, 10000);
}

/** The colour class of a source state or sink health in the pipeline picture. */
function tone(state) {
  return ({streaming: 'ok', healthy: 'ok', running: 'ok', snapshotting: 'warn', starting: 'warn', paused: 'warn', waiting: 'warn',
    failed: 'bad', held: 'bad', failing: 'bad'})[state] || 'off';
}

/** Whether a captured table {@code db.table} is one a pipeline's filters take (no filter: every table). */
function takes(filters, table) {
  if (!filters.length) return true;
  return filters.some(f => new RegExp('^' + f.split('*').map(p => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 'i').test(table));
}

/**
 * A picture of one pipeline: its source, the tables captured so far (from the registry's subjects) and its views, and
 * its sinks, each coloured by its state.
 */
function pipelinePicture(p, subjects, views) {
  const prefix = p.source + '.';
  const tables = subjects.filter(s => s.startsWith(prefix) && s.endsWith('-value')).map(s => s.slice(prefix.length, -'-value'.length))
    .filter(t => !t.startsWith('views.') && takes(p.tables, t)).sort();
  const shown = tables.slice(0, 10);
  const middle = shown.map(t => ({label: t, kind: 'table'})).concat(views.filter(v => v.definition.pipeline === p.name)
    .map(v => ({label: 'view ' + v.definition.name, kind: 'view', state: v.status ? (v.status.failed ? 'failed' : 'running') : 'waiting'})));
  if (tables.length > shown.length) middle.push({label: '+' + (tables.length - shown.length) + ' more tables', kind: 'table'});
  if (!middle.length) middle.push({label: p.tables.join(', ') || 'every table', kind: 'table'});
  const state = p.status ? p.status.state : 'stopped';
  const health = {};
  (p.status ? p.status.sinks : []).forEach(s => { health[s.sink] = s.healthy ? 'healthy' : 'failing'; });
  const rowH = 26, boxW = 200, gap = 70, h = Math.max(middle.length, p.sinks.length, 1) * rowH + 10;
  const xs = [4, 4 + boxW + gap, 4 + 2 * (boxW + gap)];
  const y = (i, n) => 5 + (h - 10 - n * rowH) / 2 + i * rowH;
  const box = (x, yy, label, cls, title) => '<g class="node ' + cls + '"><title>' + esc(title) + '</title><rect x="' + x + '" y="' + yy + '" width="' + boxW
    + '" height="' + (rowH - 6) + '" rx="4"/><text x="' + (x + 8) + '" y="' + (yy + 14) + '">' + esc(label.length > 30 ? label.slice(0, 29) + '…' : label) + '</text></g>';
  const line = (x1, y1, x2, y2) => '<path d="M' + x1 + ',' + y1 + ' C' + (x1 + gap / 2) + ',' + y1 + ' ' + (x2 - gap / 2) + ',' + y2 + ' ' + x2 + ',' + y2 + '"/>';
  let svg = '';
  const sy = y(0, 1) + (rowH - 6) / 2;
  middle.forEach((m, i) => {
    const my = y(i, middle.length) + (rowH - 6) / 2;
    svg += line(xs[0] + boxW, sy, xs[1], my);
    p.sinks.forEach((s, j) => { svg += line(xs[1] + boxW, my, xs[2], y(j, p.sinks.length) + (rowH - 6) / 2); });
  });
  svg = '<g class="edges">' + svg + '</g>' + box(xs[0], y(0, 1), 'source ' + p.source, tone(state), p.source + ': ' + state)
    + middle.map((m, i) => box(xs[1], y(i, middle.length), m.label, m.kind === 'view' ? tone(m.state) + ' view' : 'plain', m.label + (m.state ? ': ' + m.state : ''))).join('')
    + p.sinks.map((s, j) => box(xs[2], y(j, p.sinks.length), 'sink ' + s, tone(health[s] || 'unused'), s + ': ' + (health[s] || 'not written to yet'))).join('');
  return '<figure class="pipeline-picture" data-pipeline="' + esc(p.name) + '"><figcaption><b>' + esc(p.name) + '</b> ' + badge(state) + '</figcaption>'
    + '<svg viewBox="0 0 ' + (xs[2] + boxW + 4) + ' ' + h + '" width="' + (xs[2] + boxW + 4) + '" height="' + h + '" role="img" aria-label="pipeline '
    + esc(p.name) + '">' + svg + '</svg></figure>';
}

/** The registry's subjects (every captured table has one), for pictures and choices; empty when the registry is unreachable. */
async function subjects() {
  const r = await fetch('/registry/subjects', {headers: {'Accept': 'application/json'}});
  return r.ok ? r.json() : [];
}
