// One studio at a time: Hangfire's storage and log provider are process-wide, so two studios in one test
// process would pick up each other's jobs.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
