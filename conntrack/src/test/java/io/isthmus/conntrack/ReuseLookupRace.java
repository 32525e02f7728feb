package io.isthmus.conntrack;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A one-entry table: a worker removes connection 1 and its entry is reused at once for
 * connection 2, while a reader looks up 1 and then 2. The reader may see 1 (before), or not,
 * and 2 (after) or not, but never 1's key with 2's payload or the reverse.
 */
@JCStressTest
@Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "reader saw neither the removal nor the insert")
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "reader saw 1, then 2 (it ran in between its two lookups)")
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "reader ran after the removal, before the insert")
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "reader ran after both")
@Outcome(expect = FORBIDDEN, desc = "a wrong payload, or the reuse failed")
@State
public class ReuseLookupRace {

    private final RaceFixture fixture = new RaceFixture(1);
    private final ConntrackCursor writer = fixture.table.cursor(0);
    private final ConntrackCursor reader = fixture.table.cursor(1);
    private final int ref;
    private final int seqZone;

    public ReuseLookupRace() {
        ref = fixture.insert(writer, 1);
        fixture.find(writer, 1);
        seqZone = writer.lastLookup().seqZone(0);
    }

    @Actor
    public void removeAndReuse(III_Result r) {
        final boolean ok = writer.remove(ref, seqZone) && fixture.insert(writer, 2) >= 0;
        r.r1 = ok ? 1 : 0;
    }

    @Actor
    public void lookup(III_Result r) {
        r.r2 = fixture.lookupChecked(reader, 1);
        r.r3 = fixture.lookupChecked(reader, 2);
    }
}
