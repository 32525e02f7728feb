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
 * An early drop (a worker) and the sweeper remove the same connection: exactly one of them
 * does; the entry is freed once (the free list holds every entry exactly once afterwards).
 */
@JCStressTest
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "the worker removed it")
@Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "the sweeper removed it")
@Outcome(expect = FORBIDDEN, desc = "removed twice or not at all, or the free list is wrong")
@State
public class RemoveRemoveRace {

    private final RaceFixture fixture = new RaceFixture(2);
    private final ConntrackCursor worker = fixture.table.cursor(0);
    private final int ref;
    private final int seqZone;

    public RemoveRemoveRace() {
        ref = fixture.insert(worker, 5);
        fixture.find(worker, 5);
        seqZone = worker.lastLookup().seqZone(0);
    }

    @Actor
    public void worker(III_Result r) {
        r.r1 = worker.remove(ref, seqZone) ? 1 : 0;
    }

    @Actor
    public void sweeper(III_Result r) {
        final ConntrackTable table = fixture.table;
        r.r2 = table.claimForRemoval(ref >>> 1, seqZone) && table.removeClaimed(ref >>> 1, ConntrackDescriptor.SWEEPER_STRIPE) ? 1 : 0;
    }

    @Arbiter
    public void check(III_Result r) {
        r.r3 = fixture.table.freeCount() == 2 && fixture.find(worker, 5) < 0 && fixture.table.size() == 0 ? 1 : 0;
    }
}
