// FerryServer: the HTTP API, metrics and health.
// Filled in by its own issue; the module exists now so the dependency graph of
// docs/architecture.md is enforced by the build from the start.
