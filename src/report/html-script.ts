/**
 * The HTML report's script, inline and dependency-free. It reads the data from
 * `<script type="application/json">` and builds the page with `createElement` and `textContent` only: no data is
 * ever parsed as markup (no innerHTML, no attribute built from data except `data-id`, set through the DOM).
 * Written without template literals so it can live in this string.
 */
export const SCRIPT = String.raw`(function () {
'use strict';
var D = JSON.parse(document.getElementById('report-data').textContent);
var L = JSON.parse(document.getElementById('report-labels').textContent);
var SEV = ['critical', 'high', 'medium', 'low', 'info'];
var MAX_ROWS = 1000;

function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function add(parent) {
  for (var i = 1; i < arguments.length; i++) {
    var c = arguments[i];
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return parent;
}
function child(parent, node) { parent.appendChild(node); return node; }
function val(text) { return el('span', 'val', text); }
function sevBadge(s, waived) { return el('span', 'sev ' + (waived ? 'waived' : s.split(' ')[0]), waived ? s + ' · ' + L.waived : s); }
function table(head, rows, numeric) {
  var t = el('table'), tr = el('tr');
  head.forEach(function (h, i) { add(tr, el('th', numeric && numeric[i] ? 'num' : '', h)); });
  add(t, add(el('thead'), tr));
  var body = el('tbody');
  rows.forEach(function (r) {
    var row = el('tr');
    r.forEach(function (c, i) {
      var td = el('td', numeric && numeric[i] ? 'num' : '');
      if (c !== null && typeof c === 'object') add(td, c); else td.textContent = c === null || c === undefined ? '' : String(c);
      add(row, td);
    });
    add(body, row);
  });
  return add(t, body);
}
function companyName(id) { var c = D.companies[id]; return c ? c.name : id; }

// Indexes.
var terminalById = {};
D.terminals.forEach(function (t) { terminalById[t.id] = t; });
var findingsByTerminal = {};
D.findings.forEach(function (f, i) { f.i = i; (findingsByTerminal[f.terminal] = findingsByTerminal[f.terminal] || []).push(f); });
var siteName = {}, zoneInfo = {};
D.sites.forEach(function (s) { siteName[s.id] = s.name; s.zones.forEach(function (z) { zoneInfo[z.id] = z; }); });
var markerById = {};
var selected = null;

// Header.
var header = document.getElementById('top');
add(header, el('h1', '', D.meta.kind === 'audit' ? L.title_audit : D.meta.kind === 'logs' ? L.title_logs : L.title_validate),
  el('span', 'verdict ' + (D.meta.failed ? 'fail' : 'pass'), D.meta.failed ? L.fail : L.pass),
  el('span', 'meta', L.now + ': ' + D.meta.now + ' · ' + L.today + ': ' + D.meta.today + ' (' + D.meta.timezone + ') · ' + L.fail_on + ': ' + D.meta.fail_on + ' · fleet-audit ' + D.meta.version));
var counts = el('span', 'counts');
SEV.forEach(function (k) { if (D.summary.by_severity[k]) add(counts, sevBadge(k + ' ' + D.summary.by_severity[k]), ' '); });
if (D.summary.waived) add(counts, el('span', 'sev waived', L.waived + ' ' + D.summary.waived));
add(header, counts);
var pb = el('button', 'printbtn', L.print);
pb.type = 'button';
pb.addEventListener('click', function () { window.print(); });
add(header, pb);

// Summary.
function renderSummary() {
  var s = document.getElementById('summary');
  add(s, el('h2', '', L.summary));
  var grid = child(s, el('div', 'summary-grid'));
  var sevRows = SEV.map(function (k) { return [sevBadge(k), D.summary.by_severity[k]]; });
  sevRows.push([el('span', 'sev waived', L.waived), D.summary.waived]);
  sevRows.push([L.total, D.summary.total]);
  add(grid, add(el('div'), el('h3', '', L.by_severity), table([L.severity, L.count], sevRows, [false, true])));

  var bySite = {};
  D.sites.forEach(function (x) { bySite[x.id] = {terminals: 0, failing: {}, sev: {critical: 0, high: 0, medium: 0, low: 0, info: 0}}; });
  D.terminals.forEach(function (t) { if (bySite[t.site]) bySite[t.site].terminals++; });
  D.findings.forEach(function (f) {
    var b = bySite[f.site];
    if (!b) return;
    if (!f.waiver) b.sev[f.severity]++;
    if (f.failing) b.failing[f.terminal] = true;
  });
  var siteRows = D.sites.map(function (x) {
    var b = bySite[x.id];
    return [x.name, b.terminals, Object.keys(b.failing).length].concat(SEV.map(function (k) { return b.sev[k]; }));
  });
  add(grid, add(el('div'), el('h3', '', L.by_site),
    table([L.site, L.terminals, L.failing_col].concat(SEV), siteRows, [false, true, true, true, true, true, true, true])));

  var failing = {};
  D.findings.forEach(function (f) { if (f.failing) failing[f.terminal] = true; });
  var ft = add(el('div'), el('h3', '', L.failing_terminals + ' (' + Object.keys(failing).length + ')'));
  var ids = Object.keys(failing).sort();
  if (ids.length === 0) add(ft, el('p', 'muted', L.none));
  else {
    var list = el('ul', 'plain');
    ids.slice(0, 200).forEach(function (id) {
      var t = terminalById[id];
      var li = add(el('li'), t ? sevBadge(t.state) : null, ' ', terminalLink(id));
      if (t) add(li, ' ', el('span', 'muted', (siteName[t.site] || t.site) + ' / ' + ((zoneInfo[t.zone] || {}).name || t.zone)));
      add(list, li);
    });
    add(ft, list);
    if (ids.length > 200) add(ft, el('p', 'muted', (ids.length - 200) + ' ' + L.more_rows));
  }
  add(grid, ft);

  var soon = D.waivers.filter(function (w) { return w.applies && w.days_left <= 30; }).sort(function (a, b) { return a.days_left - b.days_left; });
  add(grid, add(el('div'), el('h3', '', L.expiring), soon.length === 0 ? el('p', 'muted', L.none)
    : table([L.waiver, L.rule, L.terminals, L.approver, L.until], soon.map(function (w) { return [w.id, w.rule, w.terminals.join(', '), w.approver, w.expires + ' (' + w.days_left + ' ' + L.days_left + ')']; }))));

  var ho = add(el('div'), el('h3', '', L.handoffs));
  if (!D.handoffs) add(ho, el('p', 'muted', L.no_ledger));
  else {
    [['pending', L.pending], ['rejected', L.rejected], ['not_handed_off', L.not_handed_off]].forEach(function (p) {
      var list = D.handoffs[p[0]];
      add(ho, el('h4', '', p[1] + ' (' + list.length + ')'));
      if (list.length > 0) add(ho, table(['#', L.terminal, '', ''], list.slice(0, 200).map(function (e) {
        return [e.issuer + '#' + e.seq, terminalLink(e.terminal), e.kind, e.occurred_at];
      })));
    });
  }
  add(grid, ho);

  var inp = add(el('div'), el('h3', '', L.inputs));
  add(inp, el('h4', '', L.inventory_files), table([D.inputs.root, L.sha256], D.inputs.inventory.map(function (f) { return [f.file, el('span', 'hash', f.sha256)]; })));
  if (D.inputs.rules.length > 0) add(inp, el('h4', '', L.rule_files), table(['', L.sha256], D.inputs.rules.map(function (f) { return [f.file, el('span', 'hash', f.sha256)]; })));
  add(inp, el('h4', '', L.facts_dir));
  add(inp, el('p', '', D.inputs.facts ? D.inputs.facts.dir + ' — ' + D.inputs.facts.documents + ' ' + L.documents + ', ' + D.inputs.facts.invalid + ' ' + L.invalid : L.no_facts));
  if (D.inputs.ledger) add(inp, el('h4', '', L.ledger + ' (' + D.inputs.ledger.source + ')'), table(['', '#', L.sha256], D.inputs.ledger.chains.map(function (c) { return [c.issuer, c.last_seq, el('span', 'hash', c.last_hash || '')]; })));
  if (D.inputs.logs && D.inputs.logs.length) add(inp, el('h4', '', L.logs), table(['', L.sha256], D.inputs.logs.map(function (f) { return [f.file, el('span', 'hash', f.sha256)]; })));
  add(inp, el('p', '', L.tool + ': fleet-audit ' + D.meta.version));
  add(s, inp);
}

function terminalLink(id) {
  var b = el('button', 'link', id);
  b.type = 'button';
  b.setAttribute('data-select', id);
  b.addEventListener('click', function () { select(id, true); });
  return b;
}

// Filters.
var F = {sev: {critical: true, high: true, medium: true, low: true, info: true}, waived: true, site: '', rule: '', q: ''};
function renderFilters() {
  var s = document.getElementById('filters');
  add(s, el('h2', '', L.filters));
  var box = child(s, el('div', 'filters'));
  SEV.forEach(function (k) {
    var c = el('input'); c.type = 'checkbox'; c.checked = true; c.name = 'sev-' + k;
    c.addEventListener('change', function () { F.sev[k] = c.checked; apply(); });
    add(box, add(el('label'), c, ' ', sevBadge(k)));
  });
  var w = el('input'); w.type = 'checkbox'; w.checked = true; w.name = 'waived';
  w.addEventListener('change', function () { F.waived = w.checked; apply(); });
  add(box, add(el('label'), w, ' ' + L.show_waived));
  var site = el('select'); site.name = 'site';
  add(site, option('', L.any_site));
  D.sites.forEach(function (x) { add(site, option(x.id, x.name)); });
  site.addEventListener('change', function () { F.site = site.value; apply(); });
  var rule = el('select'); rule.name = 'rule';
  add(rule, option('', L.any_rule));
  var used = {};
  D.findings.forEach(function (f) { used[f.rule] = true; });
  Object.keys(used).sort().forEach(function (r) { add(rule, option(r, r)); });
  rule.addEventListener('change', function () { F.rule = rule.value; apply(); });
  var q = el('input'); q.type = 'search'; q.name = 'q'; q.placeholder = L.search;
  q.addEventListener('input', function () { F.q = q.value.trim().toLowerCase(); apply(); });
  add(box, site, rule, q, el('span', 'count', ''));
}
function option(value, text) { var o = el('option', '', text); o.value = value; return o; }

// The map.
function renderMap() {
  var s = document.getElementById('map');
  add(s, el('h2', '', L.map));
  var inZone = {};
  D.terminals.forEach(function (t) { (inZone[t.zone] = inZone[t.zone] || []).push(t); });
  var frag = document.createDocumentFragment();
  D.sites.forEach(function (site) {
    var panel = el('section', 'site');
    panel.setAttribute('data-site', site.id);
    add(panel, add(el('h3'), site.name + ' ', el('span', 'muted', '(' + site.id + (site.subnets.length ? ' · ' + site.subnets.join(', ') : '') + ')')));
    var zones = child(panel, el('div', 'zones'));
    site.zones.forEach(function (z) {
      var box = el('div', 'zone reach-' + z.reach);
      box.setAttribute('data-zone', z.id);
      box.setAttribute('data-reach', z.reach);
      add(box, add(el('div', 'zone-head'), add(el('span', 'zone-name'), z.name + ' ', el('span', 'muted', z.kind)), el('span', 'reach ' + z.reach, L['reach_' + z.reach.replace('-', '_')])));
      if (z.access.length) {
        var who = add(el('div', 'who'), L.can_enter + ': ');
        z.access.forEach(function (c, i) {
          var side = D.companies[c] ? D.companies[c].side : '';
          add(who, i ? ', ' : '', el('span', side, companyName(c) + (side ? ' (' + (side === 'nw' ? L.role_nw : L.role_retail) + ')' : '')));
        });
        add(box, who);
      }
      var ms = child(box, el('div', 'markers'));
      (inZone[z.id] || []).forEach(function (t) { add(ms, marker(t)); });
      add(zones, box);
    });
    frag.appendChild(panel);
  });
  s.appendChild(frag);
  var legend = add(el('div', 'legend'), el('strong', '', L.legend + ':'));
  SEV.concat(['waived', 'unverified', 'clean']).forEach(function (k) {
    add(legend, add(el('span'), el('span', 'm s-' + k, '\u00a0\u00a0'), ' ' + L['state_' + k]));
  });
  add(legend, add(el('span'), add(el('span', 'm s-clean'), el('span', 'role', 'NW')), ' ' + L.role_nw));
  add(s, legend);
}
function marker(t) {
  var b = el('button', 'm s-' + t.state + ' st-' + t.status + (t.unverified ? ' unv' : ''));
  b.type = 'button';
  b.setAttribute('data-id', t.id);
  b.setAttribute('data-state', t.state);
  var label = t.id + ': ' + L['state_' + t.state] + (t.role ? ' · ' + (t.role === 'nw' ? L.role_nw : L.role_retail) : '') + (t.status !== 'active' ? ' · ' + (L[t.status] || t.status) : '');
  b.title = label;
  b.setAttribute('aria-label', label);
  if (t.role === 'nw') add(b, el('span', 'role', L.role_nw));
  add(b, t.id);
  if (t.unverified && t.state !== 'unverified') add(b, el('span', 'q', '?'));
  b.addEventListener('click', function () { select(t.id, false); });
  markerById[t.id] = b;
  return b;
}

// Filtering: markers that match are kept bright, the others dimmed; the findings table lists matching findings.
function findingText(f) {
  if (f._t === undefined) f._t = [f.terminal, f.rule, f.message, f.expected || '', f.actual || '', f.location].join('\n').toLowerCase();
  return f._t;
}
function terminalText(t) {
  if (t._t === undefined) t._t = [t.id].concat(t.declared.map(function (r) { return r[1]; })).join('\n').toLowerCase();
  return t._t;
}
function findingMatches(f) {
  if (!F.sev[f.severity]) return false;
  if (f.waiver && !F.waived) return false;
  if (F.site && f.site !== F.site) return false;
  if (F.rule && f.rule !== F.rule) return false;
  if (F.q && findingText(f).indexOf(F.q) === -1 && !(terminalById[f.terminal] && terminalText(terminalById[f.terminal]).indexOf(F.q) !== -1)) return false;
  return true;
}
function findingFilterActive() {
  return !F.waived || F.rule !== '' || SEV.some(function (k) { return !F.sev[k]; });
}
function apply() {
  var active = findingFilterActive();
  var matching = D.findings.filter(findingMatches);
  var hit = {};
  matching.forEach(function (f) { hit[f.terminal] = true; });
  var shown = 0;
  D.terminals.forEach(function (t) {
    var ok = (!F.site || t.site === F.site) && (active ? hit[t.id] === true : (!F.q || hit[t.id] === true || terminalText(t).indexOf(F.q) !== -1));
    if (ok) shown++;
    markerById[t.id].classList.toggle('dim', !ok);
  });
  document.querySelector('#filters .count').textContent = shown + ' / ' + D.terminals.length + ' ' + L.terminals + ' · ' + matching.length + ' / ' + D.findings.length + ' ' + L.findings + ' ' + L.shown;
  renderFindings(matching);
}

function renderFindings(list) {
  var s = document.getElementById('findings');
  s.textContent = '';
  add(s, el('h2', '', L.all_findings + ' (' + list.length + ')'));
  if (list.length === 0) { add(s, el('p', 'muted', L.none)); return; }
  var rows = list.slice(0, MAX_ROWS).map(function (f) {
    var msg = add(el('span'), val(f.message));
    if (f.waiver) add(msg, el('span', 'muted', ' [' + L.waived + ': ' + f.waiver.id + ' ' + L.until + ' ' + f.waiver.expires + ']'));
    return [sevBadge(f.severity, !!f.waiver), terminalLink(f.terminal), (siteName[f.site] || f.site) + ' / ' + ((zoneInfo[f.zone] || {}).name || f.zone), f.rule, msg];
  });
  var t = child(s, table([L.severity, L.terminal, L.site + ' / ' + L.zone, L.rule, L.message], rows));
  t.id = 'findings-table';
  if (list.length > MAX_ROWS) add(s, el('p', 'muted', (list.length - MAX_ROWS) + ' ' + L.more_rows));
}

// Selection: the terminal's declared data, facts, findings with rationale and remediation, waivers, ledger events.
function dl(rows) {
  var d = el('dl');
  rows.forEach(function (r) { add(d, el('dt', '', r[0]), add(el('dd'), val(r[1]))); });
  return d;
}
function select(id, scroll) {
  var t = terminalById[id];
  var s = document.getElementById('detail');
  s.textContent = '';
  if (selected && markerById[selected]) markerById[selected].classList.remove('sel');
  selected = null;
  if (!t) {
    s.classList.add('empty');
    var fs = findingsByTerminal[id] || [];
    add(s, el('h2', '', id));
    fs.forEach(function (f) { add(s, findingBlock(f)); });
    return;
  }
  selected = id;
  s.classList.remove('empty');
  markerById[id].classList.add('sel');
  if (scroll) markerById[id].scrollIntoView({block: 'center'});
  add(s, add(el('h2'), id + ' ', sevBadge(t.state === 'waived' || t.state === 'unverified' || t.state === 'clean' ? 'info' : t.state, t.state === 'waived'), ' ', el('span', 'muted', L['state_' + t.state])));
  var z = zoneInfo[t.zone];
  if (z) add(s, add(el('p'), (siteName[t.site] || t.site) + ' / ' + z.name + ' ', el('span', 'reach ' + z.reach, L['reach_' + z.reach.replace('-', '_')])));
  add(s, el('h3', '', L.declared), dl(t.declared));
  add(s, el('h3', '', L.facts));
  if (t.facts) add(s, dl(t.facts));
  else add(s, el('p', 'muted', L.no_facts_terminal));
  if (t.facts_problem) add(s, el('p', '', t.facts_problem));
  var fs2 = findingsByTerminal[id] || [];
  add(s, el('h3', '', L.findings + ' (' + fs2.length + ')'));
  if (fs2.length === 0) add(s, el('p', 'muted', L.none));
  fs2.forEach(function (f) { add(s, findingBlock(f)); });
  var ws = D.waivers.filter(function (w) { return w.terminals.indexOf(id) !== -1; });
  add(s, el('h3', '', L.waivers + ' (' + ws.length + ')'));
  ws.forEach(function (w) {
    add(s, add(el('div', 'finding' + (w.applies ? ' is-waived' : ' high')),
      add(el('p'), el('strong', '', w.id), ' ' + w.rule + ' — ' + (w.applies ? L.applies : L.not_applies)),
      el('p', '', L.approver + ' ' + w.approver + ' · ' + w.approved + ' → ' + w.expires + ' (' + w.days_left + ' ' + L.days_left + ')'),
      w.reason ? add(el('p'), L.reason + ': ', val(w.reason)) : null));
  });
  add(s, el('h3', '', L.events + ' (' + t.events.length + ')'));
  if (t.events.length === 0) add(s, el('p', 'muted', D.handoffs ? L.no_events : L.no_ledger));
  else add(s, table(['#', '', '', L.ack], t.events.map(function (e) {
    return [e.issuer + '#' + e.seq, e.kind + ' ' + e.site + '/' + e.zone + ' (' + e.role + ')', e.occurred_at + ' · ' + e.actor + ' / ' + e.approver + (e.note ? ' · ' + e.note : ''),
      e.ack ? e.ack.state + ' (' + e.ack.acker + ', ' + e.ack.checked_at + ')' : (e.handed_off ? L.pending : L.not_handed_off)];
  })));
  try { history.replaceState(null, '', '#' + encodeURIComponent(id)); } catch (e) { /* file: URLs in some browsers */ }
}
function findingBlock(f) {
  var r = D.rules[f.rule];
  var b = el('div', 'finding ' + f.severity + (f.waiver ? ' is-waived' : ''));
  b.setAttribute('data-rule', f.rule);
  add(b, add(el('p'), sevBadge(f.severity, !!f.waiver), ' ', el('strong', '', f.rule)), add(el('p'), val(f.message)));
  if (f.expected !== null || f.actual !== null) add(b, add(el('p', 'muted'), L.expected + ': ', val(f.expected || ''), ' · ' + L.actual + ': ', val(f.actual || '')));
  add(b, add(el('p', 'muted'), L.at + ': ', val(f.location)));
  if (f.related.length) add(b, add(el('p', 'muted'), L.also + ': ', val(f.related.join(', '))));
  if (r) add(b, add(el('p'), el('strong', '', L.rationale + ': '), r.rationale), add(el('p'), el('strong', '', L.remediation + ': '), r.remediation));
  if (f.waiver) add(b, el('p', '', L.waiver + ' ' + f.waiver.id + ' · ' + L.approver + ' ' + f.waiver.approver + ' · ' + L.until + ' ' + f.waiver.expires));
  return b;
}

renderSummary();
renderFilters();
renderMap();
apply();
var hint = document.getElementById('detail');
add(hint, el('h2', '', L.terminal), el('p', 'muted', L.select_hint));
var initial = decodeURIComponent((location.hash || '').slice(1));
if (initial && terminalById[initial]) select(initial, true);
document.documentElement.setAttribute('data-ready-ms', String(Math.round(performance.now())));
document.documentElement.setAttribute('data-ready', '1');
})();
`
