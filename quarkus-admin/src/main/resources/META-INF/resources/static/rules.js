// Data contracts: the tables' rules with their counts over the last hour and their last failures, the rule editor
// with its dry run over the live table, rule proposals, and the continuous audits. Uses app.js's helpers.
'use strict';

const RULES_EXAMPLE = {
  ruleSet: {domainRules: [{name: 'positivePrice', kind: 'CONDITION', type: 'CEL', mode: 'WRITE', expr: 'message.price > 0.0', onFailure: 'DLQ'}]},
  metadata: {}
};

/** A table's rules in force; the API leaves out an empty list. */
function domainRules(t) {
  return (t.ruleSet && t.ruleSet.domainRules) || [];
}

function rulePath(source, table) {
  return '/rules/' + encodeURIComponent(source) + '/' + encodeURIComponent(table);
}

/** The counts of every rule of a table, summed. */
function ruleTotals(t) {
  return t.counts.reduce((a, c) => ({evaluated: a.evaluated + c.evaluated, failed: a.failed + c.failed}), {evaluated: 0, failed: 0});
}

/**
 * A bar chart of intervals drawn as inline SVG: each bar is an interval's evaluations (grey) with its failures (red)
 * in front, on one scale; the title of each bar gives its numbers.
 */
function intervalChart(points, seconds) {
  const w = 360, h = 64, n = Math.max(points.length, 1), bw = w / Math.max(n, 60);
  const top = Math.max(1, ...points.map(p => p.evaluated));
  const bars = points.map((p, i) => {
    const x = (i * bw).toFixed(1);
    const e = (p.evaluated / top * (h - 2)).toFixed(1), f = (p.failed / top * (h - 2)).toFixed(1);
    return '<g><title>' + esc(new Date(p.at).toLocaleTimeString()) + ': ' + p.evaluated + ' evaluated, ' + p.failed + ' failed</title>'
      + '<rect class="ran" x="' + x + '" y="' + (h - e) + '" width="' + Math.max(bw - 1, 1).toFixed(1) + '" height="' + e + '"></rect>'
      + '<rect class="failed" x="' + x + '" y="' + (h - f) + '" width="' + Math.max(bw - 1, 1).toFixed(1) + '" height="' + f + '"></rect></g>';
  }).join('');
  return '<svg class="chart" viewBox="0 0 ' + w + ' ' + h + '" width="' + w + '" height="' + h + '" role="img" aria-label="evaluations and failures per '
    + seconds + ' s">' + '<line x1="0" y1="' + (h - 0.5) + '" x2="' + w + '" y2="' + (h - 0.5) + '" class="axis"></line>' + bars + '</svg>';
}

function proposalRows(list, withTable) {
  return '<tr><th>#</th>' + (withTable ? '<th>Table</th>' : '') + '<th>State</th><th>Changes</th><th>Dry run</th><th>Proposed</th><th></th></tr>'
    + (list.map(p => '<tr data-proposal="' + p.id + '"><td>' + p.id + '</td>' + (withTable ? '<td><a href="' + rulePath(p.source, p.table) + '">' + esc(p.source)
      + ' · ' + esc(p.table) + '</a></td>' : '') + '<td class="state">' + badge(p.state.toLowerCase()) + (p.reason ? '<div class="muted">' + esc(p.reason) + '</div>' : '')
      + '</td><td>' + p.diff.map(c => '<div><code>' + esc(c.rule) + '</code> ' + esc(c.kind.toLowerCase()) + '</div>').join('') + '</td><td>'
      + (p.dryRun ? rate(p.dryRun.rows) + ' rows, ' + Object.entries(p.dryRun.failed).map(([r, n]) => esc(r) + ' fails ' + n).join(', ') : '–')
      + '</td><td>' + esc(p.proposedBy) + '<div class="muted">' + when(p.proposedAt) + '</div></td><td class="actions">'
      + (p.state === 'pending' ? '<button class="primary" data-decide="approve" data-id="' + p.id + '">Approve</button><button class="danger" data-decide="reject" data-id="'
        + p.id + '">Reject</button>' : '') + '</td></tr>').join('') || '<tr><td colspan="7" class="muted">None.</td></tr>');
}

/** Approve and Reject buttons of the proposals on any rules page. */
function wireDecisions(after) {
  app.addEventListener('click', async ev => {
    const b = ev.target.closest('button[data-decide]');
    if (!b) return;
    const reason = b.dataset.decide === 'reject' ? prompt('Why reject this rule change?') : null;
    if (b.dataset.decide === 'reject' && reason === null) return;
    b.disabled = true;
    try {
      await act('POST', '/rules/proposals/' + b.dataset.id + '/' + b.dataset.decide, {reason}, r => toast('Proposal ' + r.id + ': ' + r.state.toLowerCase()
        + (r.version ? ', registry version ' + r.version : '')));
      after();
    } catch (e) { b.disabled = false; }
  });
}

pages.rules = async () => {
  app.innerHTML = '<h1>Data contracts</h1><p class="muted">Each table\'s quality rules (CEL, in the shape of Confluent\'s rule sets), how often they ran and failed'
    + ' since the source\'s worker started, and the rule changes waiting for review.</p><div id="rule-holds"></div><table id="rules"></table>'
    + '<h2>Rule changes</h2><table id="rule-proposals"></table>'
    + '<h2>Open a table\'s rules</h2><form class="card" id="open-rules"><div class="grid"><label>Source <select name="source" id="rules-source"></select></label>'
    + field('table', 'Table (database.table)', 'shop.products') + '</div><div class="actions" style="margin-top:12px"><button class="primary" type="submit">Open</button></div></form>'
    + '<div class="live-error"></div>';
  const sources = await api('GET', '/sources');
  document.getElementById('rules-source').innerHTML = sources.map(s => '<option>' + esc(s.name) + '</option>').join('');
  document.getElementById('open-rules').addEventListener('submit', ev => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    location.href = rulePath(f.get('source'), f.get('table').trim());
  });
  app.addEventListener('click', async ev => {
    const b = ev.target.closest('button[data-release]');
    if (!b || !confirm('Send this change to the dead letters and start ' + b.dataset.release + ' again?')) return;
    b.disabled = true;
    await act('POST', '/rules/holds/' + encodeURIComponent(b.dataset.release) + '/dead-letter', undefined,
      h => toast('The change of ' + h.table + ' goes to the dead letters; ' + b.dataset.release + ' starts again'));
    load();
  });
  const load = async () => {
    const [tables, proposals, holds] = await Promise.all([api('GET', '/rules'), api('GET', '/rules/proposals'), api('GET', '/rules/holds')]);
    document.getElementById('rule-holds').innerHTML = holds.length ? '<div class="why"><b>Held by an ERROR rule</b><table>'
      + '<tr><th>Source</th><th>Table</th><th>Rule</th><th>Key</th><th>Position</th><th></th></tr>' + holds.map(h => '<tr data-hold="' + esc(h.source) + '"><td>'
      + esc(h.source) + '</td><td>' + esc(h.table) + '</td><td><code>' + esc(h.rule) + '</code></td><td class="mono">' + esc(h.key) + '</td><td class="muted">'
      + esc(h.position) + '</td><td class="actions"><button class="danger" data-release="' + esc(h.source) + '">Send to the dead letters and go on</button>'
      + '</td></tr>').join('') + '</table><div class="muted">Or change the rule below and start the source again.</div></div>' : '';
    document.getElementById('rules').innerHTML = '<tr><th>Source</th><th>Table</th><th>Version</th><th>Rules</th><th class="num">Evaluated</th><th class="num">Failed</th></tr>'
      + (tables.map(t => {
        const n = ruleTotals(t);
        return '<tr data-table="' + esc(t.table) + '"><td>' + esc(t.source) + '</td><td><a href="' + rulePath(t.source, t.table) + '">' + esc(t.table) + '</a></td><td>'
          + t.version + '</td><td>' + domainRules(t).map(r => '<code>' + esc(r.name) + '</code>').join(' ') + '</td><td class="num">' + rate(n.evaluated)
          + '</td><td class="num failed">' + rate(n.failed) + '</td></tr>';
      }).join('') || '<tr><td colspan="6" class="muted">No table has rules yet. Open a table below, or use <code>sluice rules apply</code>.</td></tr>');
    document.getElementById('rule-proposals').innerHTML = proposalRows(proposals, true);
  };
  wireDecisions(load);
  live(load);
};

pages.rule = async () => {
  const slash = subject.indexOf('/');
  const source = subject.slice(0, slash), table = subject.slice(slash + 1);
  app.innerHTML = '<p><a href="/rules">← Data contracts</a></p><h1>Rules of ' + esc(table) + ' <span class="muted">in ' + esc(source) + '</span></h1>'
    + '<div class="live-error"></div><h2>In force <span class="muted" id="rules-version"></span></h2><table id="rules-in-force"></table>'
    + '<h2>Last hour <span class="muted" id="chart-note"></span></h2><div id="rule-charts" class="charts"></div>'
    + '<h2>Last failures</h2><table id="rule-failures"></table>'
    + '<h2>Change the rules</h2><form class="card" id="rule-form"><label>Rule set and metadata (JSON, Confluent\'s shape)'
    + '<textarea id="rule-set" rows="14" spellcheck="false" class="mono"></textarea></label><div class="grid">' + field('sample', 'Dry-run sample (rows)', '10000')
    + '</div><div id="rule-problems"></div><div class="actions" style="margin-top:12px"><button type="button" id="dry-run">Dry run</button>'
    + '<button class="primary" type="submit" id="propose">Propose</button></div></form><div id="dry-run-result"></div>'
    + '<h2>Rule changes of this table</h2><table id="table-proposals"></table>';
  const path = rulePath(source, table);
  const inForce = await api('GET', path);
  const text = document.getElementById('rule-set');
  text.value = JSON.stringify(domainRules(inForce).length ? {ruleSet: inForce.ruleSet, metadata: inForce.metadata} : RULES_EXAMPLE, null, 2);

  const body = () => {
    let parsed;
    try { parsed = JSON.parse(text.value); } catch (e) {
      document.getElementById('rule-problems').innerHTML = '<div class="why">The rule set is not JSON: ' + esc(e.message) + '</div>';
      return null;
    }
    const sample = document.querySelector('#rule-form [name=sample]').value;
    return {ruleSet: parsed.ruleSet, metadata: parsed.metadata, sample: sample ? Number(sample) : null};
  };
  document.getElementById('dry-run').addEventListener('click', async () => {
    const b = body();
    if (!b) return;
    const out = document.getElementById('dry-run-result');
    try {
      const r = await api('POST', path + '/dry-run', b);
      document.getElementById('rule-problems').innerHTML = '';
      out.innerHTML = '<div class="card" id="dry-run-summary"><b>' + rate(r.rows) + '</b> rows read, <b>' + rate(r.passed) + '</b> pass every rule'
        + Object.entries(r.failed).map(([rule, n]) => '<div><code>' + esc(rule) + '</code> fails <b class="failed">' + n + '</b></div>').join('')
        + (r.examples.length ? '<table><tr><th>Rule</th><th>Key</th><th>Values</th><th>Why</th></tr>' + r.examples.map(x => '<tr><td><code>' + esc(x.rule) + '</code></td><td>'
          + esc(x.key) + '</td><td class="mono">' + esc(JSON.stringify(x.values)) + '</td><td>' + esc(x.reason) + '</td></tr>').join('') + '</table>' : '') + '</div>';
    } catch (e) { document.getElementById('rule-problems').innerHTML = errorHtml(e); out.innerHTML = ''; }
  });
  document.getElementById('rule-form').addEventListener('submit', async ev => {
    ev.preventDefault();
    const b = body();
    if (!b) return;
    try {
      const p = await api('POST', path + '/proposals', b);
      document.getElementById('rule-problems').innerHTML = '';
      toast('Proposal ' + p.id + ' is waiting for a reviewer');
      load();
    } catch (e) { document.getElementById('rule-problems').innerHTML = errorHtml(e); }
  });

  const load = async () => {
    const [now, activity, proposals] = await Promise.all([api('GET', path), api('GET', path + '/activity'),
      api('GET', '/rules/proposals')]);
    document.getElementById('rules-version').textContent = now.version ? 'registry version ' + now.version + ' of ' + now.subject : '';
    const counts = Object.fromEntries(now.counts.map(c => [c.rule, c]));
    document.getElementById('rules-in-force').innerHTML = '<tr><th>Rule</th><th>Kind</th><th>Expression</th><th>On failure</th><th class="num">Evaluated</th><th class="num">Failed</th></tr>'
      + (domainRules(now).map(r => '<tr data-rule="' + esc(r.name) + '"><td><code>' + esc(r.name) + '</code></td><td>' + esc(r.kind) + ' · ' + esc(r.type)
        + (r.tags && r.tags.length ? '<div class="muted">tags ' + esc(r.tags.join(', ')) + '</div>' : '') + '</td><td class="mono">' + esc(r.expr) + '</td><td>'
        + esc(r.onFailure || (r.kind === 'TRANSFORM' ? '–' : 'NONE')) + '</td><td class="num evaluated">' + rate(counts[r.name] ? counts[r.name].evaluated : 0)
        + '</td><td class="num failed">' + rate(counts[r.name] ? counts[r.name].failed : 0) + '</td></tr>').join('')
        || '<tr><td colspan="6" class="muted">No rules: every change passes as it is.</td></tr>');
    document.getElementById('chart-note').textContent = 'evaluations (grey) and failures (red) per ' + activity.intervalSeconds + ' s';
    document.getElementById('rule-charts').innerHTML = activity.rules.map(r => '<div class="chart-box" data-rule="' + esc(r.rule) + '"><div><code>' + esc(r.rule)
      + '</code> <span class="muted">' + r.points.reduce((a, p) => a + p.failed, 0) + ' failed of ' + r.points.reduce((a, p) => a + p.evaluated, 0) + '</span></div>'
      + intervalChart(r.points, activity.intervalSeconds) + '</div>').join('') || '<p class="muted">No rules, no chart.</p>';
    document.getElementById('rule-failures').innerHTML = '<tr><th>Committed</th><th>Rule</th><th>Action</th><th>Key</th><th>Values</th><th>Why</th><th>Position</th></tr>'
      + (activity.lastFailures.map(f => '<tr><td>' + when(f.commitTime) + '</td><td><code>' + esc(f.rule) + '</code></td><td>' + badge(f.action.toLowerCase())
        + '</td><td class="mono">' + esc(f.key) + '</td><td class="mono">' + esc(Object.entries(f.values).map(([k, v]) => k + '=' + v).join(', '))
        + '</td><td>' + esc(f.reason) + '</td><td class="muted">' + esc(f.position) + '</td></tr>').join('')
        || '<tr><td colspan="7" class="muted">None since the source\'s worker started.</td></tr>');
    document.getElementById('table-proposals').innerHTML = proposalRows(proposals.filter(p => p.source === source && p.table === table), false);
  };
  wireDecisions(load);
  live(load);
};

pages.audits = async () => {
  app.innerHTML = '<h1>Audits</h1><p class="muted">A sampled verify of each pipeline on a schedule: a rolling range of every table\'s keys checked against'
    + ' every sink, drift counted (missing, stale, extra) and repaired when asked.</p><table id="audits"></table><div class="live-error"></div>'
    + '<h2>Audit a pipeline</h2><form class="card" id="new-audit"><div class="grid"><label>Pipeline <select name="pipeline" id="audit-pipeline"></select></label>'
    + field('intervalMinutes', 'Every (minutes)', '15') + field('sampleRows', 'Rows per table and run', '10000')
    + '<label><input type="checkbox" name="repair"> Repair the drift it finds</label></div><div id="audit-problems"></div>'
    + '<div class="actions" style="margin-top:12px"><button class="primary" type="submit">Save</button></div></form>';
  const pipelines = await api('GET', '/pipelines');
  document.getElementById('audit-pipeline').innerHTML = pipelines.map(p => '<option>' + esc(p.name) + '</option>').join('');
  const load = async () => {
    const audits = await api('GET', '/audits');
    document.getElementById('audits').innerHTML = '<tr><th>Pipeline</th><th>Every</th><th>Rows</th><th>Repair</th><th>Last run</th><th>Next run</th><th>Last results</th><th></th></tr>'
      + (audits.map(a => '<tr data-audit="' + esc(a.pipeline) + '"><td>' + esc(a.pipeline) + '</td><td>' + a.intervalMinutes + ' min</td><td class="num">' + rate(a.sampleRows)
        + '</td><td>' + (a.repair ? 'yes' : 'no') + '</td><td>' + when(a.lastRunAt) + '</td><td>' + when(a.nextRunAt) + '</td><td class="results">'
        + (a.lastResults.map(r => '<div>' + esc(r.table) + ' → ' + esc(r.sink) + ': ' + (r.error ? '<span class="bad">' + esc(r.error) + '</span>'
          : rate(r.rowsChecked) + ' checked, ' + badge(r.missing + r.stale + r.extra ? 'drift' : 'equal') + ' ' + r.missing + ' missing, ' + r.stale + ' stale, '
          + (r.extraChecked ? r.extra + ' extra' : 'extra not checked') + (r.repaired ? ', ' + r.repaired + ' repaired' : '')) + '</div>').join('') || '<span class="muted">not run yet</span>')
        + '</td><td class="actions"><button data-run="' + esc(a.pipeline) + '">Run now</button><button class="danger" data-stop-audit="' + esc(a.pipeline) + '">Delete</button></td></tr>').join('')
        || '<tr><td colspan="8" class="muted">No audits yet.</td></tr>');
  };
  app.addEventListener('click', async ev => {
    const run = ev.target.closest('button[data-run]');
    const stop = ev.target.closest('button[data-stop-audit]');
    if (run) await act('POST', '/audits/' + encodeURIComponent(run.dataset.run) + '/run', undefined, () => { toast('Audit of ' + run.dataset.run + ' started'); load(); });
    if (stop && confirm('Stop auditing ' + stop.dataset.stopAudit + '?')) await act('DELETE', '/audits/' + encodeURIComponent(stop.dataset.stopAudit), undefined, load);
  });
  document.getElementById('new-audit').addEventListener('submit', async ev => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const number = k => f.get(k) ? Number(f.get(k)) : null;
    try {
      await api('PUT', '/audits/' + encodeURIComponent(f.get('pipeline')), {intervalMinutes: number('intervalMinutes'), sampleRows: number('sampleRows'), repair: f.get('repair') === 'on'});
      document.getElementById('audit-problems').innerHTML = '';
      load();
    } catch (e) { document.getElementById('audit-problems').innerHTML = errorHtml(e); }
  });
  live(load);
};
