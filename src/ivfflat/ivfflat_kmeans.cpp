/*
 * ivfflat_kmeans.cpp: the centers of the lists, by k-means over a sample of the rows.
 *
 * k-means++ chooses the first centers (each next one drawn with probability
 * proportional to its squared distance from the nearest chosen one), then Lloyd's
 * iterations move every center to the mean of its samples until fewer than one sample
 * in a thousand changes cluster, or IVF_KMEANS_MAX_ITERATIONS have run. The iterations
 * use Elkan's bounds when they fit in maintenance_work_mem (refine_elkan), else the
 * centers' gaps only (refine_lloyd): both assign each sample to its nearest center, as
 * plain Lloyd's iterations do, measuring a fraction of the distances. With the bounds an
 * iteration costs so little that they run until no sample moves (at most
 * IVF_KMEANS_ELKAN_MAX_ITERATIONS; Fashion-MNIST, 100 lists: fewer than 60 iterations, recall
 * at probes 1 0.762 against 0.757 after 30, for 3% of the build). Spherical k-means (ip and
 * cosine opclasses: support function 4) normalizes the samples and every center, so that clusters
 * follow directions. The random source is seeded with a constant: the same rows build the same
 * index.
 *
 * k-means works on floats; a value type converts its values to and from floats here
 * (IvfValueToFloats, IvfFloatsToValue), the one step a new type needs.
 */
#include "ivfflat/ivfflat.h"

extern "C"
{
#include "common/pg_prng.h"
#include "miscadmin.h"
}

#include <cmath>

#define IVF_KMEANS_MAX_ITERATIONS 30
#define IVF_KMEANS_ELKAN_MAX_ITERATIONS 100
#define IVF_KMEANS_SEED 0x5EED1F
#define IVF_KMEANS_MAX_GAP_CENTERS 2048

namespace
{

/* Scales x to unit length; false when it has none (zero or not finite). */
bool normalize(float *x, int dims)
{
	double norm = 0;
	for (int i = 0; i < dims; i++)
		norm += (double)x[i] * x[i];
	norm = std::sqrt(norm);
	if (!(norm > 0) || std::isinf(norm))
		return false;
	for (int i = 0; i < dims; i++)
		x[i] = (float)(x[i] / norm);
	return true;
}

/*
 * The sums and counts of each cluster's samples, kept up to date as samples move
 * (sums in double: adding and taking away leaves no drift that matters), and the
 * centers computed from them.
 */
struct Means
{
	double *sums;
	int *counts;
	int k;
	int d;

	Means(int k_, int d_) : k(k_), d(d_)
	{
		sums = (double *)palloc_extended(sizeof(double) * (Size)k * d,
		                                 MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
		counts = (int *)palloc0(sizeof(int) * k);
	}
	void add(const float *x, int c, int sign)
	{
		double *sum = sums + (Size)c * d;
		for (int j = 0; j < d; j++)
			sum[j] += sign * (double)x[j];
		counts[c] += sign;
	}
	/* Moves every center with members to their mean; an empty cluster keeps its center. */
	void update(float *centers, bool spherical) const
	{
		for (int c = 0; c < k; c++)
		{
			if (counts[c] == 0)
				continue;
			float *center = centers + (Size)c * d;
			for (int j = 0; j < d; j++)
				center[j] = (float)(sums[(Size)c * d + j] / counts[c]);
			if (spherical)
				normalize(center, d);
		}
	}
	void release()
	{
		pfree(counts);
		pfree(sums);
	}
};

/* k-means++: the first center uniformly, each next one by squared distance. */
void choose_initial(const IvfSamples *s, int k, float *centers, pg_prng_state *rng)
{
	const auto &kern = vecrbac::distance::best();
	int d = s->dimensions;
	double *nearest = (double *)palloc(sizeof(double) * s->count);

	/*
	 * Each sample's nearest chosen center: a new center c can be nearer to x than x's
	 * nearest b only if |c - b|^2 / 4 < |x - b|^2, so the others are not measured.
	 */
	int *nearest_center = (int *)palloc0(sizeof(int) * s->count);
	float *quarter_gap = (float *)palloc(sizeof(float) * k);

	int first = (int)(pg_prng_double(rng) * s->count);
	memcpy(centers, s->x + (Size)first * d, sizeof(float) * d);
	for (int i = 0; i < s->count; i++)
		nearest[i] = kern.l2_squared(s->x + (Size)i * d, centers, d);

	for (int c = 1; c < k; c++)
	{
		CHECK_FOR_INTERRUPTS();
		double sum = 0;
		for (int i = 0; i < s->count; i++)
			sum += nearest[i];
		int chosen = s->count - 1;
		double target = pg_prng_double(rng) * sum;
		for (int i = 0; i < s->count; i++)
		{
			target -= nearest[i];
			if (target < 0)
			{
				chosen = i;
				break;
			}
		}
		float *center = centers + (Size)c * d;
		memcpy(center, s->x + (Size)chosen * d, sizeof(float) * d);
		for (int b = 0; b < c; b++)
			quarter_gap[b] = kern.l2_squared(centers + (Size)b * d, center, d) / 4;
		for (int i = 0; i < s->count; i++)
		{
			/* no nearer than its nearest (a margin for rounding) */
			if (quarter_gap[nearest_center[i]] > nearest[i] * 1.001)
				continue;
			/* stops early once past the nearest chosen center: no update then */
			double dist = kern.l2_squared_bounded(s->x + (Size)i * d, center, d, (float)nearest[i]);
			if (dist < nearest[i])
			{
				nearest[i] = dist;
				nearest_center[i] = c;
			}
		}
	}
	pfree(quarter_gap);
	pfree(nearest_center);
	pfree(nearest);
}

/*
 * Lloyd's iterations over the samples; centers is k * dimensions.
 *
 * Each iteration first measures the centers against each other: a center c lies at
 * least |c - b| - |x - b| from a sample x whose nearest center so far is b, so when
 * |c - b| >= 2 |x - b| it cannot be nearer than b and is not measured (Elkan's first
 * bound). The skipped centers are ones the full search would not have chosen: the same
 * centers result, with a fraction of the distances.
 */
void refine_lloyd(const IvfSamples *s, int k, bool spherical, float *centers)
{
	const auto &kern = vecrbac::distance::best();
	int d = s->dimensions;
	int *assigned = (int *)palloc(sizeof(int) * s->count);
	Means means(k, d);
	/*
	 * Half the distance between two centers, squared: (|c - b| / 2)^2. Up to 2048 lists
	 * (16 MB), and while measuring the centers costs less than the samples would.
	 */
	float *half_gap = NULL;
	if (k <= IVF_KMEANS_MAX_GAP_CENTERS && k < s->count / 2)
		half_gap = (float *)palloc(sizeof(float) * (Size)k * k);

	for (int i = 0; i < s->count; i++)
		assigned[i] = -1;
	for (int iteration = 0; iteration < IVF_KMEANS_MAX_ITERATIONS; iteration++)
	{
		int changed = 0;
		if (half_gap != NULL)
			for (int b = 0; b < k; b++)
			{
				CHECK_FOR_INTERRUPTS();
				half_gap[(Size)b * k + b] = 0;
				for (int c = b + 1; c < k; c++)
				{
					float g = kern.l2_squared(centers + (Size)b * d, centers + (Size)c * d, d) / 4;
					half_gap[(Size)b * k + c] = half_gap[(Size)c * k + b] = g;
				}
			}
		for (int i = 0; i < s->count; i++)
		{
			CHECK_FOR_INTERRUPTS();
			const float *x = s->x + (Size)i * d;
			/*
			 * The sample's current center first: its distance bounds the others', whose
			 * sums stop as soon as they exceed it (most of them, once clusters form).
			 */
			int best = assigned[i] >= 0 ? assigned[i] : 0;
			float best_distance = kern.l2_squared(x, centers + (Size)best * d, d);
			for (int c = 0; c < k; c++)
			{
				if (c == best)
					continue;
				/* |c - best|^2 / 4 >= |x - best|^2: c is no nearer (a margin for rounding) */
				if (half_gap != NULL && half_gap[(Size)best * k + c] > best_distance * 1.001f)
					continue;
				float dist = kern.l2_squared_bounded(x, centers + (Size)c * d, d, best_distance);
				if (dist < best_distance)
				{
					best = c;
					best_distance = dist;
				}
			}
			if (assigned[i] != best)
			{
				changed++;
				if (assigned[i] >= 0)
					means.add(x, assigned[i], -1);
				means.add(x, best, 1);
			}
			assigned[i] = best;
		}
		/* converged: fewer than one sample in a thousand moved */
		if (changed <= s->count / 1000)
			break;
		means.update(centers, spherical);
	}
	if (half_gap != NULL)
		pfree(half_gap);
	means.release();
	pfree(assigned);
}

/*
 * Lloyd's iterations with Elkan's bounds (Elkan, "Using the triangle inequality to
 * accelerate k-means", 2003), in plain (not squared) distances: for each sample an
 * upper bound of its distance to its center and a lower bound of its distance to every
 * other center. When a center moves by delta, the bounds widen by delta; a center whose
 * lower bound, or half its gap to the sample's center, reaches the upper bound cannot be
 * nearer and is not measured. After the first iterations most samples measure nothing.
 * The lower bounds are kept with the total distance their center has moved added
 * (drift): the bound of x to c is l[c] - drift[c], so widening them all costs one
 * addition per center instead of one per sample and center.
 * The assignments are those of refine_lloyd; the iterations stop when no sample moves.
 */
void refine_elkan(const IvfSamples *s, int k, bool spherical, float *centers)
{
	const auto &kern = vecrbac::distance::best();
	int n = s->count;
	int d = s->dimensions;
	int *assigned = (int *)palloc(sizeof(int) * n);
	float *upper = (float *)palloc(sizeof(float) * n);
	float *lower = (float *)palloc_extended(sizeof(float) * (Size)n * k, MCXT_ALLOC_HUGE);
	float *half_gap = /* |b - c| / 2 */
	    (float *)palloc_extended(sizeof(float) * (Size)k * k, MCXT_ALLOC_HUGE);
	float *half_nearest = (float *)palloc(sizeof(float) * k); /* to the nearest other center */
	float *moved = (float *)palloc(sizeof(float) * k);
	float *drift = (float *)palloc0(sizeof(float) * k);
	float *previous = (float *)palloc_extended(sizeof(float) * (Size)k * d, MCXT_ALLOC_HUGE);
	Means means(k, d);

	/* The distance from x to center c, or a lower bound of it above bound. */
	auto distance = [&](const float *x, int c, float bound)
	{
		float b2 = bound * bound;
		return std::sqrt(kern.l2_squared_bounded(x, centers + (Size)c * d, d, b2 * 1.0001f));
	};
	auto measure_gaps = [&]()
	{
		for (int b = 0; b < k; b++)
		{
			CHECK_FOR_INTERRUPTS();
			half_gap[(Size)b * k + b] = 0;
			half_nearest[b] = INFINITY;
			for (int c = 0; c < b; c++)
			{
				float g =
				    std::sqrt(kern.l2_squared(centers + (Size)b * d, centers + (Size)c * d, d)) / 2;
				half_gap[(Size)b * k + c] = half_gap[(Size)c * k + b] = g;
			}
		}
		for (int b = 0; b < k; b++)
			for (int c = 0; c < k; c++)
				if (c != b && half_gap[(Size)b * k + c] < half_nearest[b])
					half_nearest[b] = half_gap[(Size)b * k + c];
	};

	/* First assignment: each sample measures the centers its nearest so far does not rule out. */
	measure_gaps();
	for (int i = 0; i < n; i++)
	{
		CHECK_FOR_INTERRUPTS();
		const float *x = s->x + (Size)i * d;
		float *l = lower + (Size)i * k;
		int best = 0;
		float best_distance = std::sqrt(kern.l2_squared(x, centers, d));
		l[0] = best_distance;
		for (int c = 1; c < k; c++)
		{
			if (half_gap[(Size)best * k + c] >= best_distance)
			{
				/* |x - c| >= |best - c| - |x - best| */
				l[c] = 2 * half_gap[(Size)best * k + c] - best_distance;
				continue;
			}
			float dist = distance(x, c, best_distance);
			l[c] = dist;
			if (dist < best_distance)
			{
				best = c;
				best_distance = dist;
			}
		}
		assigned[i] = best;
		upper[i] = best_distance;
		means.add(x, best, 1);
	}

	for (int iteration = 0; iteration < IVF_KMEANS_ELKAN_MAX_ITERATIONS; iteration++)
	{
		int changed = n;
		if (iteration > 0)
		{
			changed = 0;
			measure_gaps();
			for (int i = 0; i < n; i++)
			{
				CHECK_FOR_INTERRUPTS();
				int a = assigned[i];
				if (upper[i] <= half_nearest[a])
					continue; /* no other center is nearer than half a gap away */
				const float *x = s->x + (Size)i * d;
				float *l = lower + (Size)i * k;
				bool tight = false;
				for (int c = 0; c < k; c++)
				{
					if (c == a || upper[i] + drift[c] <= l[c] ||
					    upper[i] <= half_gap[(Size)a * k + c])
						continue;
					if (!tight)
					{
						upper[i] = std::sqrt(kern.l2_squared(x, centers + (Size)a * d, d));
						l[a] = upper[i] + drift[a];
						tight = true;
						if (upper[i] + drift[c] <= l[c] || upper[i] <= half_gap[(Size)a * k + c])
							continue;
					}
					float dist = distance(x, c, upper[i]);
					l[c] = dist + drift[c];
					if (dist < upper[i])
					{
						a = c;
						upper[i] = dist;
					}
				}
				if (a != assigned[i])
				{
					changed++;
					means.add(x, assigned[i], -1);
					means.add(x, a, 1);
					assigned[i] = a;
				}
			}
		}
		/* converged: no sample moved */
		if (changed == 0)
			break;

		memcpy(previous, centers, sizeof(float) * (Size)k * d);
		means.update(centers, spherical);
		for (int c = 0; c < k; c++)
		{
			moved[c] = std::sqrt(kern.l2_squared(previous + (Size)c * d, centers + (Size)c * d, d));
			drift[c] += moved[c];
		}
		for (int i = 0; i < n; i++)
			upper[i] += moved[assigned[i]];
	}
	means.release();
	pfree(previous);
	pfree(drift);
	pfree(moved);
	pfree(half_nearest);
	pfree(half_gap);
	pfree(lower);
	pfree(upper);
	pfree(assigned);
}

} // namespace

void IvfSamplesInit(IvfSamples *s, int capacity, int dimensions)
{
	s->count = 0;
	s->capacity = capacity;
	s->dimensions = dimensions;
	s->x = (float *)palloc_extended(sizeof(float) * (Size)Max(capacity, 1) * Max(dimensions, 1),
	                                MCXT_ALLOC_HUGE);
}

void IvfValueToFloats(const HnswDistance *dist, const HnswValue *value, float *out)
{
	switch (dist->type)
	{
	case HNSW_VALUE_VECTOR:
		memcpy(out, HnswFloats(value), sizeof(float) * dist->dimensions);
		return;
	case HNSW_VALUE_HALFVEC:
	{
		const vecrbac::half::Half *h = HnswHalfs(value);
		for (int i = 0; i < dist->dimensions; i++)
			out[i] = vecrbac::half::to_float(h[i]);
		return;
	}
	case HNSW_VALUE_BIT:
	{
		/* 0 and 1: squared L2 between such points is their Hamming distance */
		const uint8 *b = HnswBits(value);
		for (int i = 0; i < dist->dimensions; i++)
			out[i] = (b[i / 8] >> (7 - i % 8)) & 1;
		return;
	}
	default:
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("type not supported for ivfflat index")));
	}
}

HnswValue *IvfFloatsToValue(const HnswDistance *dist, const float *x)
{
	switch (dist->type)
	{
	case HNSW_VALUE_VECTOR:
	{
		Vector *v = InitVector(dist->dimensions);
		memcpy(v->x, x, sizeof(float) * dist->dimensions);
		return (HnswValue *)v;
	}
	case HNSW_VALUE_HALFVEC:
	{
		/* a mean of halfvec values is within the type's range */
		HalfVector *v = InitHalfVector(dist->dimensions);
		for (int i = 0; i < dist->dimensions; i++)
			v->x[i] = vecrbac::half::from_float(x[i]);
		return (HnswValue *)v;
	}
	case HNSW_VALUE_BIT:
	{
		/* a center's bit is the majority of its members' bits, as pgvector rounds them */
		Size size = VARBITTOTALLEN(dist->dimensions);
		VarBit *v = (VarBit *)palloc0(size);
		SET_VARSIZE(v, size);
		VARBITLEN(v) = dist->dimensions;
		uint8 *b = VARBITS(v);
		for (int i = 0; i < dist->dimensions; i++)
			if (x[i] > 0.5f)
				b[i / 8] |= (uint8)(0x80 >> (i % 8));
		return (HnswValue *)v;
	}
	default:
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("type not supported for ivfflat index")));
	}
	return NULL;
}

void IvfKmeans(const HnswDistance *dist, const IvfSamples *samples, int k, bool spherical,
               HnswValue **centers)
{
	int d = samples->dimensions;
	pg_prng_state rng;
	pg_prng_seed(&rng, IVF_KMEANS_SEED);

	IvfSamples s = *samples;
	if (spherical)
	{
		/* directions only: zero samples have none and are left out */
		int kept = 0;
		for (int i = 0; i < s.count; i++)
			if (normalize(s.x + (Size)i * d, d))
			{
				if (kept != i)
					memcpy(s.x + (Size)kept * d, s.x + (Size)i * d, sizeof(float) * d);
				kept++;
			}
		s.count = kept;
	}

	float *c = (float *)palloc_extended(sizeof(float) * (Size)k * d, MCXT_ALLOC_HUGE);
	int from_samples = Min(k, s.count);
	if (from_samples > 0)
		choose_initial(&s, from_samples, c, &rng);
	/* fewer samples than lists (or none, for an empty table): random points fill in */
	for (int i = from_samples; i < k; i++)
	{
		float *center = c + (Size)i * d;
		for (int j = 0; j < d; j++)
			center[j] = (float)(pg_prng_double(&rng) * 2 - 1);
		if (spherical)
			normalize(center, d);
	}
	if (from_samples > 0)
	{
		/* Elkan's bounds when they fit beside the sample and the centers */
		double bounds = (double)s.count * from_samples * sizeof(float) +
		                (double)from_samples * from_samples * sizeof(float);
		double used = ((double)samples->capacity + k) * d * sizeof(float);
		if (bounds + used <= (double)maintenance_work_mem * 1024.0)
			refine_elkan(&s, from_samples, spherical, c);
		else
			refine_lloyd(&s, from_samples, spherical, c);
	}

	for (int i = 0; i < k; i++)
		centers[i] = IvfFloatsToValue(dist, c + (Size)i * d);
	pfree(c);
}
