// Prints one plain closing line ("jest: N passed, N failed, N skipped") that CI tooling can read.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests: p, numFailedTests: f, numPendingTests: s, numTodoTests: t, numRuntimeErrorTestSuites: e } = results;
    if (e) process.stdout.write(`jest: ${e} test suites failed to run\n`);
    process.stdout.write(`jest: ${p} passed, ${f + e} failed, ${s + t} skipped\n`);
  }
}
module.exports = SummaryReporter;
