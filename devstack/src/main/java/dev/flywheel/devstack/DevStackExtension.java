package dev.flywheel.devstack;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving integration tests one {@link DevStack} per test JVM: created on first use, kept in the
 * root {@link ExtensionContext.Store} and closed by JUnit when the whole run ends. Use it with
 * {@code @ExtendWith(DevStackExtension.class)} and take a {@code DevStack} parameter (test method, constructor,
 * {@code @BeforeAll}/{@code @BeforeEach}), or call {@link #stack()} from any of those. Elasticsearch starts only
 * when a test calls {@link DevStack#elasticsearchUrl()}.
 * <p>To run the same tests against real servers, set any of (system property first, then environment variable)
 * {@value #MONGODB_ENV} / {@code flywheel.test.mongodb.uri}, {@value #REDIS_ENV} / {@code flywheel.test.redis.uri},
 * {@value #ELASTICSEARCH_ENV} / {@code flywheel.test.elasticsearch.url}; unset ones are started locally.
 */
public final class DevStackExtension implements BeforeAllCallback, ParameterResolver {

    public static final String MONGODB_ENV = "FLYWHEEL_TEST_MONGODB_URI";
    public static final String REDIS_ENV = "FLYWHEEL_TEST_REDIS_URI";
    public static final String ELASTICSEARCH_ENV = "FLYWHEEL_TEST_ELASTICSEARCH_URL";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(DevStackExtension.class);

    // the same object as in the root store, for tests that cannot take a parameter
    private static volatile DevStack current;

    /**
     * The stack of this test JVM. Valid from the extension's {@code beforeAll} on, so it can be called in
     * {@code @BeforeAll} methods, constructors and tests of a class using this extension.
     */
    public static DevStack stack() {
        DevStack stack = current;
        if (stack == null) {
            throw new IllegalStateException("no DevStack yet: annotate the test class with "
                    + "@ExtendWith(DevStackExtension.class)");
        }
        return stack;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        stack(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == DevStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return stack(extensionContext);
    }

    private static DevStack stack(ExtensionContext context) {
        // DevStack is AutoCloseable: JUnit closes values of the root store when the test plan finishes.
        DevStack stack = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(DevStack.class, key -> startFromSettings(), DevStack.class);
        current = stack;
        return stack;
    }

    private static DevStack startFromSettings() {
        return DevStack.builder()
                .mongoUri(setting("flywheel.test.mongodb.uri", MONGODB_ENV))
                .redisUri(setting("flywheel.test.redis.uri", REDIS_ENV))
                .elasticsearchUrl(setting("flywheel.test.elasticsearch.url", ELASTICSEARCH_ENV))
                .elasticsearch(true)
                .start();
    }

    private static String setting(String property, String env) {
        String value = System.getProperty(property);
        return value != null && !value.isBlank() ? value : System.getenv(env);
    }
}
