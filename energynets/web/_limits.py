"""The limits of the playground's server: every request is bounded in size and in work.

One place for the numbers, so that the page, the validation and the tests agree.
"""

from __future__ import annotations

#: The largest request body, in bytes (64 patterns of 64 x 64 cells fit with room to spare).
MAX_BODY_BYTES = 1 << 20
#: A body over the limit but not over this is read and dropped before the 413 answer, so that
#: a client that sends its whole body before reading sees the answer (not a broken pipe).
MAX_DRAINED_BYTES = 16 << 20
#: The largest grid side, in cells (a grid is at most 64 x 64 = 4096 units).
MAX_GRID_SIDE = 64
#: The smallest grid side, in cells.
MIN_GRID_SIDE = 2
#: The most patterns a Hopfield session stores.
MAX_PATTERNS = 64
#: The Storkey rule's work in one request, P N^2 (its cost): 16 patterns of 64 x 64 cells,
#: a few seconds.
MAX_STORKEY_WORK = 2**28
#: The temperature range of Glauber dynamics.
MIN_TEMPERATURE = 0.01
MAX_TEMPERATURE = 10.0
#: The largest seed a request may give (numpy takes any integer >= 0; JSON numbers past 2**53
#: are not exact in a browser).
MAX_SEED = 2**53 - 1
#: The most sessions held at once (one per browser tab); the least recently used goes first.
MAX_SESSIONS = 16
#: A session unused for this many seconds is dropped.
SESSION_TTL_SECONDS = 30 * 60
#: Seconds a connection may take to send its request before it is closed.
REQUEST_TIMEOUT_SECONDS = 10.0
#: The largest Ising lattice side (the lattice is stored by its bonds: 128 x 128 spins take
#: 128 KiB of float32 couplings, and a sweep about a millisecond).
MAX_LATTICE_SIDE = 128
#: The smallest Ising lattice side (even, as the checkerboard sampler needs).
MIN_LATTICE_SIDE = 4
#: The most sweeps of the Ising lattice in one frame.
MAX_SWEEPS_PER_FRAME = 100
#: The largest external field |h| on the Ising lattice.
MAX_ISING_FIELD = 2.0
#: The most training jobs running at once in the server, all tabs together.
MAX_RUNNING_JOBS = 2
#: The longest a training job may run, in seconds (it stops with its results so far).
MAX_TRAINING_SECONDS = 120.0
#: The most epochs of a training job.
MAX_EPOCHS = 5000
#: The most hidden units of the RBM page (each is a filter drawn on the page).
MAX_HIDDEN = 100
#: The most hidden units of the EP-against-backprop page.
MAX_EQPROP_HIDDEN = 256
#: The most Gibbs steps of one daydreaming request, and per progress report while training.
MAX_DAYDREAM_STEPS = 1000
#: The most daydreaming chains.
MAX_CHAINS = 64
#: Seconds between two snapshots a job publishes with its pictures (the curves are kept
#: whole in every snapshot).
SNAPSHOT_SECONDS = 0.2
#: The most event streams open at once (each holds a thread while its job runs).
MAX_STREAMS = 16
#: Seconds an event stream waits for a change before it sends a keep-alive comment.
STREAM_KEEPALIVE_SECONDS = 10.0
