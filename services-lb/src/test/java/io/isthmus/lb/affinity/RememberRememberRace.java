package io.isthmus.lb.affinity;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Two workers pin the same client to different backends at once. At least one wins; when both
 * do, the later write stands. What remains is one whole entry, written by a winner, and only one:
 * a second copy of the client (r3 = -2) is forbidden.
 */
@JCStressTest
@Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "first won, second lost the claim")
@Outcome(id = "0, 1, 2", expect = ACCEPTABLE, desc = "second won, first lost the claim")
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "one after the other, first wrote last")
@Outcome(id = "1, 1, 2", expect = ACCEPTABLE, desc = "one after the other, second wrote last")
@Outcome(expect = FORBIDDEN, desc = "nobody won, a loser's value stands, or a torn entry")
@State
public class RememberRememberRace {

    private final AffinityRaceFixture fixture = new AffinityRaceFixture();

    @Actor
    public void first(III_Result r) {
        r.r1 = fixture.remember(1) ? 1 : 0;
    }

    @Actor
    public void second(III_Result r) {
        r.r2 = fixture.remember(2) ? 1 : 0;
    }

    @Arbiter
    public void after(III_Result r) {
        r.r3 = fixture.copies() == 1 ? fixture.lookup() : -2;
    }
}
