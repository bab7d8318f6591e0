package org.carelane.names;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NameClassifierTest {
    private static NamePattern p(String s) {
        return NamePattern.parse(s);
    }

    @Test
    void anExactNameMatchesItselfOnlyAndASuffixEveryNameBelowIt() {
        assertTrue(p("Facebook.com.").matches("facebook.com"));
        assertFalse(p("facebook.com").matches("www.facebook.com"));
        assertTrue(p("*.fbcdn.net").matches("scontent.xx.fbcdn.net"));
        assertFalse(p("*.fbcdn.net").matches("fbcdn.net"), "a wildcard does not match its own name");
        assertFalse(p("*.fbcdn.net").matches("evilfbcdn.net"));
    }

    @Test
    void aMalformedEntrySaysWhatIsWrong() {
        assertEquals("'face book.com' has a character other than a-z, 0-9, '-' and '_': ' '",
                assertThrows(IllegalArgumentException.class, () -> p("face book.com")).getMessage());
        assertEquals("'*.com' would match a whole top-level domain",
                assertThrows(IllegalArgumentException.class, () -> p("*.com")).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p("a.*.example.org")).getMessage()
                .contains("a wildcard may only be the first label"));
        assertEquals("'' is empty", assertThrows(IllegalArgumentException.class, () -> p("")).getMessage());
        assertEquals("'a..b' has an empty label",
                assertThrows(IllegalArgumentException.class, () -> p("a..b")).getMessage());
    }

    @Test
    void aNameOnTheListsOfTwoSlicesGoesToTheOneOfHigherPriority() {
        NameClassifier c = new NameClassifier(List.of(
                new NameClassifier.Entry("social", 1200, List.of(p("facebook.com"), p("*.fbcdn.net"))),
                new NameClassifier.Entry("work-internet", 1500, List.of(p("facebook.com")))));
        assertEquals(Optional.of("work-internet"), c.sliceOf(List.of("facebook.com")));
        assertEquals(Optional.of("social"), c.sliceOf(List.of("static.xx.fbcdn.net")));
        assertEquals(Optional.empty(), c.sliceOf(List.of("nhs.wales")));
    }

    @Test
    void anyNameOnTheChainClassesTheAnswer() {
        NameClassifier c = new NameClassifier(List.of(
                new NameClassifier.Entry("social", 1200, List.of(p("*.wordpress.com")))));
        assertEquals(Optional.of("social"), c.sliceOf(List.of("blog.example.org", "example.wordpress.com")));
    }
}
