package dev.flywheel.emulator.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpStatus;
import dev.flywheel.emulator.faults.FaultPlan;
import dev.flywheel.emulator.faults.Faults;
import dev.flywheel.emulator.http.Json;
import dev.flywheel.emulator.http.Reply;
import dev.flywheel.emulator.http.Routes;
import dev.flywheel.emulator.state.Ledger;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The emulator's own control surface under {@code /emulator/} on the platform host — not part of NeMo, never subject
 * to injected faults: the ledger, the fault plan, and an emulated restart.
 */
public final class AdminApi {
    private final Ledger ledger;
    private final Faults faults;
    private final Consumer<Duration> restarter;
    private final ObjectNode info;

    public AdminApi(Ledger ledger, Faults faults, Consumer<Duration> restarter, ObjectNode info) {
        this.ledger = ledger;
        this.faults = faults;
        this.restarter = restarter;
        this.info = info;
    }

    public void register(Routes r) {
        r.get("/emulator/info", c -> Reply.ok(info));
        r.get("/emulator/ledger", c -> {
            String live = c.query().get("live");
            return Reply.ok(ledger.toJson(c.query().get("kind"), live == null ? null : Boolean.valueOf(live)));
        });
        r.get("/emulator/faults", c -> Reply.ok(faultsJson()));
        r.put("/emulator/faults", c -> {
            faults.set(FaultPlan.fromJson(c.json()));
            return Reply.ok(faultsJson());
        });
        r.delete("/emulator/faults", c -> {
            faults.clear();
            return Reply.ok(faultsJson());
        });
        r.post("/emulator/restart", c -> {
            long downtime = c.text().isBlank() ? 0 : c.json().path("downtime_ms").asLong(0);
            restarter.accept(Duration.ofMillis(downtime));
            return Reply.json(HttpStatus.ACCEPTED, Json.obj().put("restarting", true).put("downtime_ms", downtime));
        });
    }

    private ObjectNode faultsJson() {
        ObjectNode out = faults.plan().toJson();
        ArrayNode remaining = out.putArray("remaining");
        faults.remaining().forEach(remaining::add);
        return out;
    }
}
