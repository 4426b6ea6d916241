"""Read the XES export with PM4Py and discover a process model from it."""

import pm4py

log = pm4py.read_xes("demo.xes")
print(log["case:concept:name"].nunique(), "case(s),", len(log), "event(s)")
net, initial_marking, final_marking = pm4py.discover_petri_net_inductive(log)
print(len(net.transitions), "transitions in the discovered Petri net")
