"""Every value that changes how fast the analysis runs and never what it finds, in one place.

Block sizes bound the scratch memory of vectorised passes and keep each pass over a block in
the CPU caches (a pass over the whole (T, 33, 5) landmark array streams 71 MB per hour of
30 fps frames); the results are the same bits for any block size, and for any number of
overlapping rolling-median windows that share one sort (:data:`MEDIAN_SHARE`), and whichever
way that sort is done (:data:`NETWORK_UP_TO`; the tests vary all three).

Threads (:data:`THREADS`): :func:`screen.analysis.analyze` runs independent stages of one
analysis at the same time; numpy and scipy release the GIL in their loops. The only place that
starts them is ``screen/analysis.py`` (``_analyse``), on one pool of ``THREADS − 1`` threads
next to the calling one — only when the analysis is called from the main thread (the live view
analyses on a background thread while the camera and the model run: the cores are busy there):

- the framing check (:func:`screen.scene.framing.check_framing`, raw landmarks) while the legs
  are re-paired;
- then, on the re-paired landmarks, the conditioning's steps before the low-pass
  (:func:`screen.conditioning.conditioned.cleaned_points`: gate, outliers, gaps — of the
  protocol's landmarks, or of every protocol's sharing those steps when the test is recognised
  from the scene) and the true vertical, while the calling thread gates the pixels, builds the
  scene and recognises the test.

No stage reads another's output before it is finished (each is a pure function of its inputs,
joined with ``Future.result()``), and none changes shared state (no ``warnings`` filters; the
scene frames of the vertical sit in a ``functools.lru_cache``, which locks), so the results are
the same bits, in the same order, for any ``THREADS`` (the tests run with 1 and 2). With
``THREADS = 1`` everything runs in the calling thread, in the order above.

A Ctrl-C lost by ``tests/live/test_session.py`` in whole-suite runs under ``pytest -n 2`` held 2
back; the pool was not the cause. Found: an earlier test in the same pytest worker left SIGINT
at SIG_DFL/SIG_IGN, and then ``_thread.interrupt_main()`` does nothing (the test now installs
Python's handler). Also guarded: a KeyboardInterrupt raised inside a garbage-collector finalizer
on the main thread is dropped; the live session notes every Ctrl-C in a flag and raises it
again (``Session._noting_ctrl_c`` in ``screen/live/session.py``).
"""

# frames per block of the pixel and visibility passes (≈ 0.5 MB of landmarks) and of the copies
# that make time the contiguous axis
PASS_BLOCK = 2048
MEDIAN_BLOCK = 32768  # samples (frames × channels) per block of the rolling medians (scratch < 3 MB)
MEDIAN_SHARE = 4  # overlapping windows of a rolling median that share one sort (1: each sorted)
NETWORK_UP_TO = 16  # frames: a shared sort this short by a comparator network, longer by np.sort
THREADS = 2  # threads of one analysis (the calling one included); 1: no other thread
