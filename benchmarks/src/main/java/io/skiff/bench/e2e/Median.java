package io.skiff.bench.e2e;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** Median of measurements, skipping NaN ("not measured"); NaN if nothing was measured. */
final class Median {
    private Median() {
    }

    static double of(Collection<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
    }

    /** The median of {@code f} over {@code items}: one figure of many runs. */
    static <T> double of(List<T> items, ToDoubleFunction<T> f) {
        return of(items.stream().map(f::applyAsDouble).toList());
    }

    static double of(double... values) {
        return of(Arrays.stream(values).boxed().toList());
    }
}
