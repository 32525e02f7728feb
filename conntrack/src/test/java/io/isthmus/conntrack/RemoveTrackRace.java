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
 * A reply packet updates a connection while the sweeper removes it: the update either lands
 * before the removal (accepted) or is told the entry is stale; a state change never
 * resurrects or corrupts a removed entry.
 */
@JCStressTest
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "removed; the update came first and was accepted")
@Outcome(id = "1, 2, 1", expect = ACCEPTABLE, desc = "removed; the update saw a stale entry")
@Outcome(expect = FORBIDDEN, desc = "removal failed, or the entry survived")
@State
public class RemoveTrackRace {

    private final RaceFixture fixture = new RaceFixture(2);
    private final ConntrackCursor worker = fixture.table.cursor(0);
    private final int ref;
    private final int seqZone;

    public RemoveTrackRace() {
        ref = fixture.insert(worker, 9);
        fixture.find(worker, 9);
        seqZone = worker.lastLookup().seqZone(0);
    }

    @Actor
    public void sweeper(III_Result r) {
        final ConntrackTable table = fixture.table;
        r.r1 = table.claimForRemoval(ref >>> 1, seqZone) && table.removeClaimed(ref >>> 1, ConntrackDescriptor.SWEEPER_STRIPE) ? 1 : 0;
    }

    @Actor
    public void reply(III_Result r) {
        r.r2 = worker.track(ref | ConntrackDescriptor.DIR_REPLY, seqZone, 0, 100, 2);
    }

    @Arbiter
    public void check(III_Result r) {
        final long control = fixture.table.segment.get(java.lang.foreign.ValueLayout.JAVA_LONG, fixture.table.entryBase(ref >>> 1));
        r.r3 = ConntrackDescriptor.seqOdd(control) && ConntrackDescriptor.controlStatus(control) == 0
            && fixture.find(worker, 9) < 0 && fixture.table.freeCount() == 2 ? 1 : 0;
    }
}
