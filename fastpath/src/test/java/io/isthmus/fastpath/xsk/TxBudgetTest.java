package io.isthmus.fastpath.xsk;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TxBudgetTest {
    @Test
    void noPropertyMeansTheWorkersBudget() {
        assertEquals(TxBudget.WORKER_FRAMES, TxBudget.parse(null));
        assertEquals(TxBudget.WORKER_FRAMES, TxBudget.parse(" "));
    }

    @Test
    void aNumberIsTakenButNeverBelowTheKernelsOwnBudget() {
        assertEquals(1024, TxBudget.parse("1024"));
        assertEquals(TxBudget.KERNEL_FRAMES, TxBudget.parse("8"));
    }

    @Test
    void aWordIsRefusedNamingTheProperty() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TxBudget.parse("lots"));
        assertTrue(e.getMessage().contains(TxBudget.PROPERTY) && e.getMessage().contains("lots"), e.getMessage());
    }
}
