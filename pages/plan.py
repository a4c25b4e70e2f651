"""What would it take?: back-solve a goal, check a growth, share a workload.

Each tab's inputs and results live in a fragment, so a slider redraws only its
tab. A scenario is named and saved from its tab; saved ones are compared side
by side and applied (creating or updating KPIs, with an undo) in the last tab.
"""

import streamlit as st

from pages import common
from pages.planning.capacity import capacity_tab
from pages.planning.funnel import funnel_tab
from pages.planning.growth import growth_tab
from pages.planning.saved import saved_tab
from pages.planning.shared import plan_context, show_flash

common.through_the_router()
st.title("What would it take?")
show_flash()
context = plan_context()
if not context.definitions.metrics:
    st.info("Define metrics first (Metrics & KPIs page); scenarios plan on them.")
    st.stop()

funnel, growth, capacity, saved = st.tabs(
    ["Funnel", "Growth", "Capacity", "Saved scenarios"]
)
with funnel:
    funnel_tab(context)
with growth:
    growth_tab(context)
with capacity:
    capacity_tab(context)
with saved:
    saved_tab(context)
