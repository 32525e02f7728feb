package io.isthmus.conntrack;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * The sweeper finds a connection expired by its last seen while a packet on it refreshes last
 * seen. The packet must never be accepted on a connection the sweeper then removes: either the
 * sweeper keeps it, or the worker is told the connection went away (TRACK_STALE).
 */
@JCStressTest
@Outcome(id = "0, 0, 1", expect = ACCEPTABLE, desc = "the packet came first: the connection is kept")
@Outcome(id = "1, 2, 1", expect = ACCEPTABLE, desc = "the sweeper came first: the packet is told the connection is gone")
@Outcome(expect = FORBIDDEN, desc = "the packet was accepted on a connection that was removed, or the index is broken")
@State
public class ExpireTrackRace {

    /** Seconds after the insert: UDP_UNREPLIED (30 s) has long expired. */
    private static final int LATER_S = 100;

    private final RaceFixture fixture = new RaceFixture(2);
    private final ConntrackCursor worker = fixture.table.cursor(0);
    private final ConntrackSweeper sweeper = new ConntrackSweeper(fixture.table, 2);
    private final int ref;
    private final int seq;

    public ExpireTrackRace() {
        ref = fixture.insert(worker, 7);
        seq = worker.insertedSeq();
    }

    @Actor
    public void sweep(III_Result r) {
        r.r1 = sweeper.sweep(fixture.table.epochUnixMs + LATER_S * 1000L + 500);
    }

    @Actor
    public void packet(III_Result r) {
        r.r2 = worker.track(ref, seq, 0, 100, LATER_S);
    }

    @Arbiter
    public void check(III_Result r) {
        final boolean present = fixture.find(worker, 7) >= 0;
        r.r3 = fixture.indexConsistent() && present == (r.r1 == 0) ? 1 : 0;
    }
}
