"""Reference re-implementation of RITA v5's beacon score (activecm/rita analysis/beacons.go),
in Python floats exactly as the Go code computes it, used as an independent oracle for the
`rita` mode of c2chain's fixed-point implementation. Not a test by itself."""
import math


def _median(x):
    n = len(x)
    if n == 0:
        return 0.0
    if n % 2 == 1:
        return float(x[n // 2])
    return (x[n // 2 - 1] + x[n // 2]) / 2.0


def _quartiles(x):
    n = len(x)
    if n % 2 == 0:
        c1 = c2 = n // 2
    else:
        c1 = (n - 1) // 2
        c2 = c1 + 1
    return _median(x[:c1]), _median(x), _median(x[c2:])


def _stat(values, default_mad):
    values = sorted(values)
    q1, q2, q3 = _quartiles(values)
    num = q1 + q3 - 2 * q2
    den = q3 - q1
    skew = num / den if (den >= 10 and q2 != q1 and q2 != q3) else 0.0
    skew_score = 1.0 - abs(skew)
    med = _median(values)
    mad = _median(sorted(abs(v - med) for v in values))
    mad_score = default_mad
    if med >= 1:
        mad_score = (med - mad) / med
    if mad_score < 0 or math.isnan(mad_score):
        mad_score = 0.0
    return round((skew_score + mad_score) / 2.0 * 1000) / 1000


def _go_round(x):
    # Go's math.Round: half away from zero.
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def beacon_score(ts, sizes, tmin, tmax, w=(0.25, 0.25, 0.25, 0.25), bins=24,
                 sens=0.05, outlier=1, bimodal_min=11, dur_min=6, dur_ideal=12):
    """ts: whole seconds (the series after RITA's window cut), sizes: orig IP bytes."""
    ts = sorted(ts)
    deltas = sorted(ts[i + 1] - ts[i] for i in range(len(ts) - 1))
    nz = [d for d in deltas if d > 0]
    if len(ts) < 4 or len(nz) < 3:
        return None
    r = lambda v: _go_round(v * 1000) / 1000
    s_ts = r((lambda v: v)(_stat(nz, 1.0)))
    s_ds = _stat(sizes, 0.0)
    step = (tmax - tmin) / bins
    edges = [float(tmin)] + [tmin + i * step for i in range(1, bins)] + [float(tmax)]
    hist = [0] * bins
    cur = 0
    nxt = edges[1]
    for t in ts:
        if t < nxt:
            hist[cur] += 1
            continue
        for j in range(cur + 1, bins):
            cur = j
            nxt = edges[j + 1]
            if t < edges[j + 1]:
                break
        hist[cur] += 1
    bars = sum(1 for h in hist if h > 0)
    largest = max(hist)
    bin_size = math.ceil(largest * sens)
    freq = {}
    run = longest = 0
    for i in range(2 * bins):
        f = hist[i % bins]
        if f > 0:
            run += 1
        else:
            longest = max(longest, run)
            run = 0
        if i < bins and f > 0:
            b = int(math.floor(f / bin_size) * bin_size)
            freq[b] = freq.get(b, 0) + 1
    longest = min(max(longest, run), bins)
    total = sum(hist)
    mean = total / bins
    sd = math.sqrt(sum((h - mean) ** 2 for h in hist) / bins)
    cv = sd / abs(mean)
    cv_score = 0.0 if cv > 1.0 else min(1.0, _go_round((1.0 - cv) * 1000) / 1000)
    bim = 0.0
    if bars >= bimodal_min:
        vals = sorted(freq.values(), reverse=True) + [0, 0]
        bim = (vals[0] + vals[1]) / max(bars - outlier, 1)
    bim = min(1.0, _go_round(bim * 1000) / 1000)
    hist_score = max(cv_score, bim)
    dur = 0.0
    if bars >= dur_min:
        cov = min(1.0, math.ceil((ts[-1] - ts[0]) / (tmax - tmin) * 1000) / 1000)
        con = min(1.0, math.ceil(longest / dur_ideal * 1000) / 1000)
        dur = max(cov, con)
    score = _go_round((s_ts * w[0] + s_ds * w[1] + dur * w[2] + hist_score * w[3]) * 1000) / 1000
    return {"score": score, "ts": s_ts, "ds": s_ds, "dur": dur, "hist": hist_score}
