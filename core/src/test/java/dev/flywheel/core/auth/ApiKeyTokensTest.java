package dev.flywheel.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ApiKeyTokensTest {

    @Test
    void aNewKeyParsesAndMatchesItsOwnHashOnly() {
        ApiKeyTokens.NewKey key = ApiKeyTokens.generate();
        assertThat(key.token()).startsWith("fw_" + key.id() + "_").hasSize(59);
        ApiKeyTokens.Parsed parsed = ApiKeyTokens.parse(key.token()).orElseThrow();
        assertThat(parsed.id()).isEqualTo(key.id());
        assertThat(ApiKeyTokens.matches(parsed.secret(), key.salt(), key.hash())).isTrue();
        ApiKeyTokens.NewKey other = ApiKeyTokens.generate();
        assertThat(ApiKeyTokens.matches(parsed.secret(), other.salt(), other.hash())).isFalse();
        assertThat(ApiKeyTokens.matches(parsed.secret(), other.salt(), key.hash())).as("the salt counts").isFalse();
        assertThat(key.hash()).doesNotContain(parsed.secret());
        assertThat(key.toString()).doesNotContain(parsed.secret());
    }

    @Test
    void keysAreUnique() {
        Set<String> ids = new HashSet<>();
        Set<String> tokens = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ApiKeyTokens.NewKey key = ApiKeyTokens.generate();
            ids.add(key.id());
            tokens.add(key.token());
        }
        assertThat(ids).hasSize(1000);
        assertThat(tokens).hasSize(1000);
    }

    @Test
    void anythingElseIsNotAToken() {
        String good = ApiKeyTokens.generate().token();
        for (String bad : new String[] {null, "", "Bearer " + good, good + "x", good.substring(1), good.toUpperCase(),
                "fw_zzzzzzzzzzzz_" + good.substring(16), good.replace('_', '.'), "fw_" + "0".repeat(12) + "_" + "\u00e9".repeat(43)}) {
            assertThat(ApiKeyTokens.parse(bad)).as(String.valueOf(bad)).isEmpty();
        }
    }

    @Test
    void clientKeysReachOnlyTheirClients() {
        Principal client = new Principal("k1", "ci", Role.CLIENT, Set.of("a", "b"));
        assertThat(client.mayAccess("a")).isTrue();
        assertThat(client.mayAccess("c")).isFalse();
        assertThat(client.isAdmin()).isFalse();
        assertThat(Principal.SYSTEM.mayAccess("anything")).isTrue();
        assertThat(Role.parse("admin")).contains(Role.ADMIN);
        assertThat(Role.parse("root")).isEmpty();
    }
}
