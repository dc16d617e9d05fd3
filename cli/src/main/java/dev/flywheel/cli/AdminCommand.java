package dev.flywheel.cli;

import com.google.protobuf.Timestamp;
import dev.flywheel.api.v1.ApiKey;
import dev.flywheel.api.v1.CreateApiKeyRequest;
import dev.flywheel.api.v1.CreateApiKeyResponse;
import dev.flywheel.api.v1.ListApiKeysRequest;
import dev.flywheel.api.v1.ListApiKeysResponse;
import dev.flywheel.api.v1.RevokeApiKeyRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flywheel admin keys ...}: API keys (admin only). */
@Command(name = "admin", description = "Administration (needs an admin key).", subcommands = AdminCommand.Keys.class)
final class AdminCommand {

    @Command(name = "keys", description = "Create, list and revoke API keys.",
            subcommands = {Keys.Create.class, Keys.ListKeys.class, Keys.Revoke.class})
    static final class Keys {

        @Command(name = "create", description = "Create an API key; its secret is printed once and cannot be shown again.")
        static final class Create extends RemoteCommand {
            @Option(names = "--name", required = true, description = "What the key is for, e.g. support-ci.") String name;
            @Option(names = "--role", required = true, description = "admin (everything) or client (jobs of --client-id only).") String role;
            @Option(names = "--client-id", paramLabel = "ID", description = "A client_id the key may reach (repeat for more); for role client.")
            List<String> clientIds = new ArrayList<>();
            @Option(names = "--expires-in", paramLabel = "DURATION", converter = RemoteCommand.DurationConverter.class,
                    description = "Lifetime, e.g. 30d, 12h (default: the server's, 90 days).") Duration expiresIn;

            @Override
            protected int run(Connection connection) {
                CreateApiKeyRequest.Builder request = CreateApiKeyRequest.newBuilder().setName(name).setRole(role).addAllClientIds(clientIds);
                if (expiresIn != null) {
                    Instant at = Instant.now().plus(expiresIn);
                    request.setExpiresAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()));
                }
                CreateApiKeyResponse created = connection.admin().createApiKey(request.build());
                if (json()) {
                    context.out().println(Format.json(created));
                    return ExitCodes.OK;
                }
                ApiKey key = created.getKey();
                context.out().println("created " + key.getRole() + " key " + key.getId() + " (" + key.getName() + "), expires "
                        + Format.when(key.getExpiresAt()));
                context.out().println("key  " + created.getSecret());
                context.out().println("The key is shown only now. Give it to its user (FLYWHEEL_TOKEN, --token, or token= in"
                        + " ~/.flywheel/cli.properties).");
                return ExitCodes.OK;
            }
        }

        @Command(name = "list", description = "Every key (never their secrets), newest first.")
        static final class ListKeys extends RemoteCommand {
            @Override
            protected int run(Connection connection) {
                ListApiKeysResponse keys = connection.admin().listApiKeys(ListApiKeysRequest.getDefaultInstance());
                if (json()) {
                    context.out().println(Format.json(keys));
                    return ExitCodes.OK;
                }
                List<List<String>> rows = new ArrayList<>();
                for (ApiKey k : keys.getKeysList()) {
                    rows.add(List.of(k.getId(), k.getName(), k.getRole(), k.getClientIdsCount() == 0 ? "*" : String.join(",", k.getClientIdsList()),
                            k.getState(), Format.when(k.getExpiresAt())));
                }
                context.out().print(Format.table(List.of("ID", "NAME", "ROLE", "CLIENTS", "STATE", "EXPIRES"), rows));
                return ExitCodes.OK;
            }
        }

        @Command(name = "revoke", description = "Revoke a key by its id (the 12 characters after fw_).")
        static final class Revoke extends RemoteCommand {
            @Parameters(paramLabel = "ID") String id;

            @Override
            protected int run(Connection connection) {
                ApiKey key = connection.admin().revokeApiKey(RevokeApiKeyRequest.newBuilder().setId(id).build());
                context.out().println(json() ? Format.json(key) : "revoked " + key.getId() + " (" + key.getName() + ")");
                return ExitCodes.OK;
            }
        }
    }
}
