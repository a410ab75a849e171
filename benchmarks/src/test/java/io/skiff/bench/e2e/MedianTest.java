package io.skiff.bench.e2e;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MedianTest {
    @Test
    void oddCountIsTheMiddleValue() {
        assertEquals(3.0, Median.of(5, 1, 3));
    }

    @Test
    void evenCountIsTheMeanOfTheTwoMiddleValues() {
        assertEquals(2.5, Median.of(4, 1, 3, 2));
    }

    @Test
    void singleValue() {
        assertEquals(7.0, Median.of(7));
    }

    @Test
    void notMeasuredValuesAreSkipped() {
        assertEquals(2.0, Median.of(List.of(Double.NaN, 1.0, 3.0)));
        assertTrue(Double.isNaN(Median.of(Double.NaN, Double.NaN)));
        assertTrue(Double.isNaN(Median.of(List.of())));
    }
}
