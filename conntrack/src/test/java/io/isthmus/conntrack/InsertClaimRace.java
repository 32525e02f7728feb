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
 * A sweeper (or an early drop) finds a connection that is still being inserted (original tuple
 * linked, reply not yet) and tries to remove it. It must not: only confirmed entries may be
 * claimed, or the entry would be freed while its reply node gets linked afterwards.
 */
@JCStressTest
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "inserted; the remover did not see it, or saw it unconfirmed and left it")
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "inserted, then removed once confirmed")
@Outcome(expect = FORBIDDEN, desc = "a free entry is still linked, or the insert failed")
@State
public class InsertClaimRace {

    private final RaceFixture fixture = new RaceFixture(2);
    private final ConntrackCursor inserter = fixture.table.cursor(0);
    private final ConntrackCursor remover = fixture.table.cursor(1);

    @Actor
    public void insert(III_Result r) {
        r.r1 = fixture.insert(inserter, 4) >= 0 ? 1 : 0;
    }

    @Actor
    public void remove(III_Result r) {
        final int ref = fixture.find(remover, 4);
        r.r2 = ref >= 0 && remover.remove(ref, remover.lastLookup().seqZone(0)) ? 1 : 0;
    }

    @Arbiter
    public void check(III_Result r) {
        r.r3 = fixture.indexConsistent() ? 1 : 0;
    }
}
