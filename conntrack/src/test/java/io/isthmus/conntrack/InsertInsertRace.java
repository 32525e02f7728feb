package io.isthmus.conntrack;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/** Two workers insert the same connection: exactly one wins, the table holds it once. */
@JCStressTest
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "first worker inserted, second saw it")
@Outcome(id = "0, 1, 1", expect = ACCEPTABLE, desc = "second worker inserted, first saw it")
@Outcome(expect = FORBIDDEN, desc = "both or neither inserted, or the table is inconsistent")
@State
public class InsertInsertRace {

    private final RaceFixture fixture = new RaceFixture(4);
    private final ConntrackCursor a = fixture.table.cursor(0);
    private final ConntrackCursor b = fixture.table.cursor(1);

    @Actor
    public void first(III_Result r) {
        r.r1 = fixture.insert(a, 7) >= 0 ? 1 : 0;
    }

    @Actor
    public void second(III_Result r) {
        r.r2 = fixture.insert(b, 7) >= 0 ? 1 : 0;
    }

    @Arbiter
    public void check(III_Result r) {
        // One live connection, found, with its payload; entries conserved (live + free = capacity).
        final boolean consistent = fixture.table.size() == 1 && fixture.lookupChecked(a, 7) == 1
            && fixture.table.freeCount() == 3;
        r.r3 = consistent ? 1 : 0;
    }
}
