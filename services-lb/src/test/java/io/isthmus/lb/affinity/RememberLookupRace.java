package io.isthmus.lb.affinity;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A worker re-pins a client (backend 1 → 2) while another looks it up: the reader sees the old
 * entry, the new one, or a miss (entry being written); never a mix of the two.
 */
@JCStressTest
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "read before the rewrite")
@Outcome(id = "1, 2", expect = ACCEPTABLE, desc = "read after the rewrite")
@Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING, desc = "read while the entry was odd or moving: a miss")
@Outcome(expect = FORBIDDEN, desc = "torn entry, or the rewrite failed with no competitor")
@State
public class RememberLookupRace {

    private final AffinityRaceFixture fixture = new AffinityRaceFixture();

    public RememberLookupRace() {
        fixture.remember(1);
    }

    @Actor
    public void rewrite(II_Result r) {
        r.r1 = fixture.remember(2) ? 1 : 0;
    }

    @Actor
    public void lookup(II_Result r) {
        r.r2 = fixture.lookup();
    }
}
