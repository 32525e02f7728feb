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
 * A remover empties a connection's slots while an inserter looks for empty slots in the same
 * bucket (a table of 4 has one bucket): the inserter may take a slot the instant its ref word
 * is 0. Layout 4 keeps a slot's tag byte apart from its ref word, so the remover must clear the
 * tag before giving the ref word back, never after (it would erase the new node's tag, and the
 * new connection could no longer be found). Afterwards the new connection is found, the old
 * one is not, and every slot's tag agrees with its ref word.
 */
@JCStressTest
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "removed, inserted, index consistent")
@Outcome(expect = FORBIDDEN, desc = "a lost tag, a stale node, or a failed remove or insert")
@State
public class RemoveInsertSlotRace {

    private final RaceFixture fixture = new RaceFixture(4);
    private final ConntrackCursor remover = fixture.table.cursor(0);
    private final ConntrackCursor inserter = fixture.table.cursor(1);
    private final int ref;
    private final int seq;

    public RemoveInsertSlotRace() {
        ref = fixture.insert(remover, 1);
        seq = remover.insertedSeq();
        fixture.insert(remover, 2);
        fixture.insert(remover, 3);
    }

    @Actor
    public void remove(III_Result r) {
        r.r1 = remover.remove(ref, seq) ? 1 : 0;
    }

    @Actor
    public void insert(III_Result r) {
        r.r2 = fixture.insert(inserter, 4) >= 0 ? 1 : 0;
    }

    @Arbiter
    public void check(III_Result r) {
        r.r3 = fixture.find(remover, 4) >= 0 && fixture.lookupChecked(remover, 4) == 1 && fixture.find(remover, 1) < 0
            && fixture.indexConsistent() ? 1 : 0;
    }
}
