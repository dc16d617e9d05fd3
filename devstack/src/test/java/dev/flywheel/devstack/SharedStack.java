package dev.flywheel.devstack;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertSame;

/** Remembers the first DevStack any test class got, so that every later class can check it gets the same one. */
final class SharedStack {

    private static final AtomicReference<DevStack> FIRST_SEEN = new AtomicReference<>();

    private SharedStack() {
    }

    static void assertSameAsEveryOtherClass(DevStack stack) {
        FIRST_SEEN.compareAndSet(null, stack);
        assertSame(FIRST_SEEN.get(), stack, "the extension started a second DevStack in this JVM");
    }
}
