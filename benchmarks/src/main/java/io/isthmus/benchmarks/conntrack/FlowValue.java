package io.isthmus.benchmarks.conntrack;

/** What a lookup must yield: the rewrite target and the first packet's decisions. */
record FlowValue(long natSrcLo, long natDstLo, int natPorts, int decision) {
}
