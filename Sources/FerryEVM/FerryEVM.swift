// FerryEVM: the EVM JSON-RPC adapter, RLP and EIP-1559 transactions.
// Filled in by its own issue; the module exists now so the dependency graph of
// docs/architecture.md is enforced by the build from the start.
