// Node flags of the process that runs the sink (the all-in-one process of `chiso up`), given as well
// to the benchmarks so that they measure that process as it runs.
// A larger young generation: the sink's short-lived objects (decoded events, rows) die in scavenges
// instead of being promoted (docs/sink.md, costs and measured throughput).
export const APP_NODE_FLAGS = ['--max-semi-space-size=64'];
