/**
 * The layout's boundaries (ARCHITECTURE.md), checked on every `npm test` by `npm run boundaries`.
 * Flow is one-way: model ← io ← inventory / facts ← collect, rules ← ledger view ← report ← app ← commands.
 */
const stage = (name) => `^src/${name}/`
/** A stage may import only from itself and the listed stages. */
const onlyFrom = (name, allowed, comment) => ({
  name: `${name}-imports`,
  comment,
  severity: 'error',
  from: {path: stage(name)},
  to: {path: '^src/', pathNot: [stage(name), ...allowed.map(stage)]},
})

module.exports = {
  forbidden: [
    onlyFrom('model', [], 'The model (types, field tables, labels) imports nothing outside the model.'),
    onlyFrom('io', ['model'], 'Input reading and text safety know only the model.'),
    onlyFrom('policy', ['model'], 'The exit policy is a pure function of a result.'),
    onlyFrom(
      'inventory',
      ['model', 'io'],
      'The inventory is read from files; it knows nothing of facts, rules or the ledger.',
    ),
    onlyFrom('facts', ['model', 'io'], 'Fact sources (probes, recorded facts, access logs) know nothing downstream.'),
    onlyFrom('collect', ['model', 'io', 'facts'], 'Collection runs the probes of facts/ over SSH; nothing downstream.'),
    onlyFrom(
      'ledger',
      ['model', 'io', 'inventory'],
      'The ledger stores what happened; it does not run rules or render reports.',
    ),
    onlyFrom('report', ['model', 'io'], 'Reports see only the model (a result) and text safety.'),
    {
      name: 'rules-imports',
      comment:
        'Rules see the model, input, and the outputs of inventory, facts and the ledger view — never the ledger store.',
      severity: 'error',
      from: {path: stage('rules')},
      to: {
        path: '^src/',
        pathNot: [
          stage('rules'),
          stage('model'),
          stage('io'),
          stage('inventory'),
          stage('facts'),
          '^src/ledger/view\\.ts$',
        ],
      },
    },
    {
      name: 'ledger-opened-by-app',
      comment: 'Only the orchestration layer opens the ledger database (for writing or reading).',
      severity: 'error',
      from: {path: '^src/', pathNot: ['^src/app/', '^src/ledger/', '^src/index\\.ts$']},
      to: {path: ['^src/ledger/store\\.ts$', '^src/ledger/index\\.ts$']},
    },
    {
      name: 'src-not-commands',
      comment: 'The core never imports the CLI.',
      severity: 'error',
      from: {path: '^src/'},
      to: {path: '^commands/'},
    },
    {
      name: 'commands-through-index',
      comment: 'Commands import the core only through src/index.ts.',
      severity: 'error',
      from: {path: '^commands/'},
      to: {path: '^src/', pathNot: '^src/index\\.ts$'},
    },
    {
      name: 'no-circular',
      comment: 'Cycles hide which stage owns what.',
      severity: 'error',
      from: {path: '^src/'},
      to: {circular: true},
    },
  ],
  options: {
    doNotFollow: {path: 'node_modules'},
    tsPreCompilationDeps: true,
    tsConfig: {fileName: 'tsconfig.json'},
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
}
