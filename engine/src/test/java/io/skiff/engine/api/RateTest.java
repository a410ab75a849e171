package io.skiff.engine.api;

import io.skiff.protocol.ErrorCode;
import io.skiff.protocol.SkiffException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateTest {
    @Test
    void shouldParsePowersOf1024WithOptionalUnits() {
        assertEquals(500L * 1024, Rate.parse("500K", "--bwlimit"));
        assertEquals(50L << 20, Rate.parse("50M", "--bwlimit"));
        assertEquals(50L << 20, Rate.parse("50MiB/s", "--bwlimit"));
        assertEquals(3L << 29, Rate.parse("1.5g", "--bwlimit"));
        assertEquals(1L << 30, Rate.parse(" 1G ", "--bwlimit"));
        assertEquals(2_000_000L, Rate.parse("2000000", "--bwlimit"));
    }

    @Test
    void shouldNameTheSettingWhenTheRateIsBad() {
        for (String bad : new String[]{"fast", "-5M", "10T", "0", "0.0001K", ""}) {
            SkiffException e = assertThrows(SkiffException.class, () -> Rate.parse(bad, "bwlimit"), bad);
            assertEquals(ErrorCode.USAGE, e.code());
            assertTrue(e.getMessage().startsWith("bwlimit must be"), e.getMessage());
        }
    }
}
