package org.carelane.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PrometheusTextTest {

    @Test
    void familiesKeepTheirSamplesTogetherUnderOneHelpAndType() {
        PrometheusText out = new PrometheusText();
        out.family("a_total", PrometheusText.Type.COUNTER, "A things.").sample(1, "x", "1");
        out.family("b", PrometheusText.Type.GAUGE, "B.").sample(0.5);
        out.family("a_total", PrometheusText.Type.COUNTER, "A things.").sample(2, "x", "2");
        assertEquals("# HELP a_total A things.\n# TYPE a_total counter\na_total{x=\"1\"} 1\na_total{x=\"2\"} 2\n"
                + "# HELP b B.\n# TYPE b gauge\nb 0.5\n", out.toString());
    }

    @Test
    void labelValuesAndHelpAreEscaped() {
        PrometheusText out = new PrometheusText();
        out.family("m", PrometheusText.Type.GAUGE, "back\\slash\nnew line").sample(1, "l", "a\"b\\c\nd");
        assertEquals("# HELP m back\\\\slash\\nnew line\n# TYPE m gauge\nm{l=\"a\\\"b\\\\c\\nd\"} 1\n",
                out.toString());
    }

    @Test
    void numbersAreWrittenAsPrometheusReadsThem() {
        assertEquals("12345678901", PrometheusText.format(12_345_678_901L));
        assertEquals("1.7643456789E9", PrometheusText.format(1_764_345_678.9));
        assertEquals("NaN", PrometheusText.format(Double.NaN));
        assertEquals("+Inf", PrometheusText.format(Double.POSITIVE_INFINITY));
        assertEquals("-2", PrometheusText.format(-2));
    }

    @Test
    void badNamesAndMismatchedTypesAreRefused() {
        PrometheusText out = new PrometheusText();
        assertThrows(IllegalArgumentException.class, () -> out.family("9lives", PrometheusText.Type.GAUGE, "x"));
        assertThrows(IllegalArgumentException.class,
                () -> out.family("ok", PrometheusText.Type.GAUGE, "x").sample(1, "bad-label", "v"));
        assertThrows(IllegalArgumentException.class,
                () -> out.family("ok", PrometheusText.Type.GAUGE, "x").sample(1, "__reserved", "v"));
        assertThrows(IllegalArgumentException.class,
                () -> out.family("ok", PrometheusText.Type.GAUGE, "x").sample(1, "odd"));
        assertThrows(IllegalArgumentException.class, () -> out.family("ok", PrometheusText.Type.COUNTER, "x"));
    }
}
