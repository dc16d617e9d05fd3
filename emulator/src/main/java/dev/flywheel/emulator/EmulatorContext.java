package dev.flywheel.emulator;

import dev.flywheel.emulator.faults.Faults;
import dev.flywheel.emulator.sim.ReferenceOracle;
import dev.flywheel.emulator.state.Ids;
import dev.flywheel.emulator.state.Ledger;
import dev.flywheel.emulator.state.SimClock;
import dev.flywheel.emulator.state.Timings;

/** The cross-cutting parts every emulated service shares; passed explicitly rather than held in statics. */
public record EmulatorContext(long seed, SimClock clock, Timings timings, Ids ids, Ledger ledger, Faults faults,
                              ReferenceOracle oracle) {}
