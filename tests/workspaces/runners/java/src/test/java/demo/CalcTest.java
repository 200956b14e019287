package demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CalcTest {
    @Test
    void addPasses() {
        assertEquals(5, Calc.add(2, 3));
    }

    @Test
    void addFails() {
        assertEquals(5, Calc.add(2, 2), "2 + 2 should be 5 here, on purpose");
    }
}
