package dev.flywheel.cli;

import dev.flywheel.api.v1.DeleteConfigRequest;
import dev.flywheel.api.v1.DeleteConfigResponse;
import dev.flywheel.api.v1.GetConfigRequest;
import dev.flywheel.api.v1.JobConfig;
import dev.flywheel.api.v1.ListConfigsRequest;
import dev.flywheel.api.v1.ListConfigsResponse;
import dev.flywheel.api.v1.NamedConfig;
import dev.flywheel.api.v1.PutConfigRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code flywheel configs ...}: named, versioned job configurations. */
@Command(name = "configs", description = "Store, show, list and delete named job configurations (name@version).",
        subcommands = {ConfigsCommand.Put.class, ConfigsCommand.Get.class, ConfigsCommand.ListConfigs.class, ConfigsCommand.Delete.class})
final class ConfigsCommand {

    @Command(name = "put", description = "Store a new version of NAME from a YAML or JSON file shaped like the reference's config.yaml.")
    static final class Put extends RemoteCommand {
        @Parameters(paramLabel = "NAME") String name;
        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "The configuration (.yaml, .yml or .json).") Path file;
        @Option(names = "--description") String description;

        @Override
        protected int run(Connection connection) {
            JobConfig config = RequestFiles.read(file, JobConfig.newBuilder()).build();
            PutConfigRequest.Builder request = PutConfigRequest.newBuilder().setName(name).setConfig(config);
            if (description != null) {
                request.setDescription(description);
            }
            NamedConfig stored = connection.configs().putConfig(request.build());
            context.out().println(json() ? Format.json(stored) : "stored " + stored.getRef() + " (sha256 " + stored.getContentHash() + ")");
            return ExitCodes.OK;
        }
    }

    @Command(name = "get", description = "Show NAME (its newest version) or NAME@VERSION.")
    static final class Get extends RemoteCommand {
        @Parameters(paramLabel = "NAME[@VERSION]") String name;

        @Override
        protected int run(Connection connection) {
            NamedConfig config = connection.configs().getConfig(GetConfigRequest.newBuilder().setName(name).build());
            if (json()) {
                context.out().println(Format.json(config));
                return ExitCodes.OK;
            }
            context.out().println("ref          " + config.getRef());
            context.out().println("description  " + Format.blankAsDash(config.getDescription()));
            context.out().println("created      " + Format.when(config.getCreatedAt()));
            context.out().println("in use       " + (config.getInUse() ? "yes (immutable)" : "no"));
            context.out().println("sha256       " + config.getContentHash());
            context.out().println();
            context.out().print(RequestFiles.toYaml(config.getConfig()));
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", description = "The newest version of every configuration, or every version of one name.")
    static final class ListConfigs extends RemoteCommand {
        @Parameters(paramLabel = "NAME", arity = "0..1") String name;
        @Option(names = "--page-size") Integer pageSize;
        @Option(names = "--page-token") String pageToken;

        @Override
        protected int run(Connection connection) {
            ListConfigsRequest.Builder request = ListConfigsRequest.newBuilder();
            if (name != null) request.setName(name);
            if (pageSize != null) request.setPageSize(pageSize);
            if (pageToken != null) request.setPageToken(pageToken);
            ListConfigsResponse page = connection.configs().listConfigs(request.build());
            if (json()) {
                context.out().println(Format.json(page));
                return ExitCodes.OK;
            }
            List<List<String>> rows = new ArrayList<>();
            for (NamedConfig c : page.getConfigsList()) {
                rows.add(List.of(c.getRef(), c.getInUse() ? "yes" : "no", Format.when(c.getCreatedAt()), Format.blankAsDash(c.getDescription())));
            }
            context.out().print(Format.table(List.of("REF", "IN USE", "CREATED", "DESCRIPTION"), rows));
            if (!page.getNextPageToken().isEmpty()) {
                context.out().println("more: --page-token " + page.getNextPageToken());
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", description = "Delete NAME@VERSION, or every version of NAME; refused for versions a job used.")
    static final class Delete extends RemoteCommand {
        @Parameters(paramLabel = "NAME[@VERSION]") String name;

        @Override
        protected int run(Connection connection) {
            DeleteConfigResponse response = connection.configs().deleteConfig(DeleteConfigRequest.newBuilder().setName(name).build());
            context.out().println(json() ? Format.json(response) : "deleted " + String.join(", ", response.getDeletedList()));
            return ExitCodes.OK;
        }
    }
}
