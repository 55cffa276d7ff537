# Solution to notebook 02, exercise 4 (check: exercises.check_attention_step(alpha, aggregated))
import numpy as np

from course_utils.exercises.nb02 import attention_exercise_graph

graph5 = attention_exercise_graph()
states, i, j, c = graph5["h"], graph5["receivers"], graph5["senders"], graph5["multiplicity"]
silu = lambda x: x / (1 + np.exp(-x))  # noqa: E731
u = silu(states[i] @ graph5["A"].T + states[j] @ graph5["B"].T)  # one row per edge: u_k = silu(A h_i + B h_j)
messages = u @ graph5["M"].T  # m_k = M u_k
scores = u @ graph5["S"]  # a_k = S . u_k
weight = c * np.exp(scores)  # an edge standing for c images counts c times
total = np.zeros(len(states))
np.add.at(total, i, weight)  # sum over the edges into each atom
alpha = weight / total[i]
aggregated = np.zeros_like(states)
np.add.at(aggregated, i, alpha[:, None] * messages)  # sum_j alpha_ij m_ij, one row per atom
print("alpha:", np.round(alpha, 4))
print("aggregated messages:\n", np.round(aggregated, 4))
