"""The built-in SP4N-LAPOR! simulator: a seeded world served over real HTTP.

world = World.generate(WorldSettings(complaints=1000, seed=7), clock=time.time)
with Simulator(world, Faults.everything()) as sim:
    ...  # point a connector at sim.base_url; compare with world.truth()
"""

from connectors.simulator.faults import Faults
from connectors.simulator.server import Simulator
from connectors.simulator.world import World, WorldSettings

__all__ = ["Faults", "Simulator", "World", "WorldSettings"]
