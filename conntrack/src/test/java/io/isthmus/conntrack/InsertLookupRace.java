package io.isthmus.conntrack;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/** A reader races an insert: it misses, or finds the whole entry; never a half-written one. */
@JCStressTest
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "lookup before the insert was visible")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "lookup found the complete entry")
@Outcome(expect = FORBIDDEN, desc = "torn entry, wrong payload, or failed insert")
@State
public class InsertLookupRace {

    private final RaceFixture fixture = new RaceFixture(4);
    private final ConntrackCursor writer = fixture.table.cursor(0);
    private final ConntrackCursor reader = fixture.table.cursor(1);

    @Actor
    public void insert(II_Result r) {
        r.r1 = fixture.insert(writer, 3) >= 0 ? 1 : 0;
    }

    @Actor
    public void lookup(II_Result r) {
        r.r2 = fixture.lookupChecked(reader, 3);
    }
}
