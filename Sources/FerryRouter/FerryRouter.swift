// FerryRouter: the route graph, fee models, pathfinding and quotes.
// Filled in by its own issue; the module exists now so the dependency graph of
// docs/architecture.md is enforced by the build from the start.
