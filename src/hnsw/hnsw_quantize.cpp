/*
 * hnsw_quantize.cpp: elements that store a vector column in half precision
 * (WITH (quantization = 'half')), as a byte per element (quantization = 'int8'), or as
 * a bit per element (quantization = 'binary').
 *
 * The graph is built and walked on the stored values, which halve (or quarter) each
 * element. The scan
 * then hands the executor, for each row, a value its exact distance cannot be below
 * and asks it to re-check (xs_recheckorderby): the executor computes the distance from
 * the row's own vector and returns rows in exact order, holding a row back while the
 * index may still produce a closer one (nodeIndexscan.c's reorder queue). So the order
 * and the distances a user sees are exact; the halves only steer the walk.
 *
 * The bound. Rounding a float x to the nearest half changes it by at most u|x| + s,
 * with u = 2^-11 (half's relative precision) and s = 2^-25 (half the spacing of the
 * subnormals). For the query q (float) and its half q', and a row's vector x and its
 * half x', with e = ||q - q'|| measured exactly and ||x - x'|| <= (u ||x'|| + s sqrt(n)) / (1 - u):
 *  - L2: |d(q, x) - d(q', x')| <= ||q - q'|| + ||x - x'||  (triangle inequality);
 *  - inner product and cosine (normalized vectors):
 *    |<q, x> - <q', x'>| <= ||q - q'|| ||x|| + ||q'|| ||x - x'||  (Cauchy-Schwarz);
 *  - L1: the same as L2 with L1 norms.
 * Both distances are float sums of n terms, each within n 2^-24 of its real value;
 * the bound leaves twice that room more.
 *
 * int8 values carry their own residual |x - x'| (L2, or L1 in an L1 index), measured
 * when coded and rounded up; the query is coded in 16 bits (256 times finer) and its
 * residual measured the same way; the same inequalities then hold with those residuals
 * in place of the rounding bounds. The distance between two codings is recomputed here
 * in double from an exact integer dot product of the codes: its error is a few units of
 * 2^-53 of the magnitude of its terms.
 *
 * Binary values bound nothing (a bit keeps too little of an element): they steer the
 * walk, and the scan re-ranks its candidates with exact distances from the rows' own
 * vectors (hnsw_rerank.cpp), so the executor needs no re-check.
 */
#include "hnsw/hnsw.h"
#include "vector_sql/halfvec_internal.h"
#include "vector/binary.h"
#include "vector/int8.h"

#include <algorithm>
#include <cmath>

namespace
{

/* Half's relative rounding error, with a margin for the float arithmetic below. */
constexpr double kUnit = 1.0 / 2048.0 * (1.0 + 1.0 / 1024.0);
/* Half of the smallest subnormal half: the most a tiny element moves. */
constexpr double kTiny = 1.0 / 33554432.0;
/* The largest finite half. */
constexpr float kHalfMax = 65504.0f;

bool is_l1(const HnswDistance *d)
{
	return d->kind == HNSW_DIST_HALF_L1;
}

/* ||x|| (L2) or its L1 norm, of a half value. */
double half_norm(const HnswDistance *d, const HnswValue *value)
{
	const vecrbac::half::Half *x = HnswHalfs(value);
	if (is_l1(d))
	{
		double sum = 0;
		for (int i = 0; i < d->dimensions; i++)
			sum += std::fabs(vecrbac::half::to_float(x[i]));
		return sum;
	}
	return std::sqrt(std::max(0.0, (double)d->half_kernels->inner_product(x, x, d->dimensions)));
}

/*
 * The most a cosine index's stored half can measure: its vector was normalized in
 * float (norm 1 within n 2^-24), then rounded. The same for every element, so that
 * the bound grows with the distance and the rows come out in exact order.
 */
double unit_norm_bound(const HnswDistance *d)
{
	return (1.0 + std::ldexp((double)d->dimensions, -23)) * (1.0 + kUnit) +
	       kTiny * std::sqrt((double)d->dimensions);
}

/* The most the halves of a vector whose half has this norm can differ from it (same norm). */
double rounding_error(const HnswDistance *d, double half_norm)
{
	double tiny = is_l1(d) ? kTiny * d->dimensions : kTiny * std::sqrt((double)d->dimensions);
	return (kUnit * half_norm + tiny) / (1.0 - kUnit);
}

/* Room for the float sums of both distances: n 2^-24 of their scale, twice over. */
double arithmetic_room(const HnswDistance *d, double scale)
{
	return std::ldexp((double)d->dimensions, -22) * scale;
}

/* A residual computed in double, as a float no smaller, with room for the double sums. */
float residual_up(const HnswDistance *d, double residual)
{
	double room = residual * (1.0 + std::ldexp((double)d->dimensions, -50));
	float r = (float)room;
	return (double)r < room ? std::nextafter(r, INFINITY) : r;
}

HnswValue *int8_value(const HnswDistance *d, const Vector *v)
{
	HnswInt8Value *x = (HnswInt8Value *)palloc0(HNSW_INT8_SIZE(v->dim));
	SET_VARSIZE(x, HNSW_INT8_SIZE(v->dim));
	x->dim = v->dim;
	vecrbac::int8::Coding c = vecrbac::int8::encode(v->x, (size_t)v->dim, x->codes);
	x->offset = c.offset;
	x->scale = c.scale;
	x->residual = residual_up(d, d->kind == HNSW_DIST_INT8_L1 ? c.residual_l1 : c.residual_l2);
	x->sum = c.sum;
	x->sum_square = c.sum_square;
	return (HnswValue *)x;
}

/*
 * The query as a scan of an int8 index uses it: a header that says its dimensions, then
 * its 16-bit coding, whose residual *error gets (L2, or L1 for an L1 index).
 */
HnswValue *int8_query(const HnswDistance *d, const Vector *v, double *error)
{
	Size head = MAXALIGN(HNSW_INT8_SIZE(0));
	Size size = head + offsetof(HnswInt8QueryTail, codes) + sizeof(int16) * v->dim;
	HnswInt8Value *q = (HnswInt8Value *)palloc0(size);
	SET_VARSIZE(q, size);
	q->dim = v->dim;
	q->unused = HNSW_INT8_QUERY;
	HnswInt8QueryTail *tail = (HnswInt8QueryTail *)((char *)q + head);
	vecrbac::int8::WideCoding w = vecrbac::int8::encode_wide(v->x, (size_t)v->dim, tail->codes);
	tail->norm_squared = w.norm_squared;
	tail->sum = w.sum;
	tail->offset = w.offset;
	tail->scale = w.scale;
	*error = d->kind == HNSW_DIST_INT8_L1 ? w.residual_l1 : w.residual_l2;
	*error *= 1.0 + std::ldexp((double)d->dimensions, -50);
	return (HnswValue *)q;
}

HnswValue *binary_value(const Vector *v)
{
	HnswBinaryValue *x = (HnswBinaryValue *)palloc0(HNSW_BINARY_SIZE(v->dim));
	SET_VARSIZE(x, HNSW_BINARY_SIZE(v->dim));
	x->dim = v->dim;
	vecrbac::binary::Coding c = vecrbac::binary::encode(v->x, (size_t)v->dim, x->bits);
	x->mean = c.mean;
	x->scale = c.scale;
	x->abs_mean = c.abs_mean;
	x->norm_squared = c.norm_squared;
	x->ones = c.ones;
	return (HnswValue *)x;
}

/*
 * The query as a scan of a binary index uses it: a header that says its dimensions,
 * then its own floats (prepared: widened, normalized for cosine), which the walk
 * measures against the elements' bits and the re-ranking against the rows' vectors.
 */
HnswValue *binary_query(const Vector *v)
{
	Size head = MAXALIGN(HNSW_BINARY_SIZE(0));
	Size size = head + offsetof(HnswBinaryQueryTail, x) + sizeof(float) * v->dim;
	HnswBinaryValue *q = (HnswBinaryValue *)palloc0(size);
	SET_VARSIZE(q, size);
	q->dim = v->dim;
	q->unused = HNSW_BINARY_QUERY;
	HnswBinaryQueryTail *tail = (HnswBinaryQueryTail *)((char *)q + head);
	for (int i = 0; i < v->dim; i++)
	{
		tail->x[i] = v->x[i];
		tail->sum += v->x[i];
		tail->norm_squared += (double)v->x[i] * v->x[i];
	}
	return (HnswValue *)q;
}

/*
 * The lower bound of an int8 index: the distance between the decoded query and the
 * decoded element, less its double rounding, less both residuals.
 */
double int8_lower_bound(const HnswDistance *d, const HnswQueryBound *bound, const HnswValue *query,
                        const HnswValue *element)
{
	const HnswInt8QueryTail *q = HnswInt8Query(HnswInt8(query));
	const HnswInt8Value *x = HnswInt8(element);
	size_t n = (size_t)d->dimensions;
	double element_error = x->residual;
	if (d->kind == HNSW_DIST_INT8_L1)
	{
		double l1 = HnswInt8QueryL1(d, q, x);
		double lower = l1 * (1.0 - std::ldexp((double)n, -50)) - bound->error - element_error;
		return std::max(0.0, lower - arithmetic_room(d, l1));
	}
	vecrbac::int8::DotParts ip = HnswInt8QueryDot(d, q, x);
	double ip_error = std::ldexp(ip.magnitude, -48); /* four terms, a few roundings each */
	double nx = vecrbac::int8::norm_squared(HnswInt8Coding(element), n);
	if (d->kind == HNSW_DIST_INT8_L2_SQUARED)
	{
		/*
		 * |q|^2 - 2 <q, x> + |x|^2 cancels when the two are close: its error is a few
		 * units of 2^-53 of its terms' magnitudes (|q|^2 a double sum of n squares; |x|^2
		 * three terms that may cancel too), not of the result.
		 */
		double o = x->offset, sc = x->scale;
		double nx_terms = (double)n * o * o + std::fabs(2.0 * o * sc * (double)x->sum) +
		                  sc * sc * (double)x->sum_square;
		double rounding =
		    std::ldexp((double)n + 16.0, -52) * (q->norm_squared + nx_terms + 2 * ip.magnitude);
		double squared = q->norm_squared - 2 * ip.value + nx - rounding;
		double between = std::sqrt(std::max(0.0, squared));
		double lower = between - bound->error - element_error;
		return std::max(0.0, lower - arithmetic_room(d, between));
	}
	/* -<q, x> for inner product, 1 - <q, x> for cosine (normalized vectors) */
	double xn = std::sqrt(std::max(0.0, nx));
	double change = bound->error * (xn + element_error) + bound->norm * element_error;
	double lower = -ip.value - ip_error - change -
	               arithmetic_room(d, bound->norm * (xn + element_error) + std::fabs(ip.value));
	return d->normproc != NULL ? 1.0 + lower : lower;
}

} // namespace

HnswValue *HnswQuantizeValue(const HnswDistance *d, const HnswValue *value, bool clamp)
{
	if (d->quantization == HNSW_QUANTIZATION_INT8)
		return int8_value(d, (const Vector *)value);
	if (d->quantization == HNSW_QUANTIZATION_BINARY)
		return binary_value((const Vector *)value);
	if (d->quantization != HNSW_QUANTIZATION_HALF)
		elog(ERROR, "hnsw: quantization %d is not known", (int)d->quantization);
	const Vector *v = (const Vector *)value;
	HalfVector *h = InitHalfVector(v->dim);
	for (int i = 0; i < v->dim; i++)
		h->x[i] = clamp ? vecrbac::half::from_float(std::clamp(v->x[i], -kHalfMax, kHalfMax))
		                : vecrbac::halfvec::to_half_checked(v->x[i]);
	return (HnswValue *)h;
}

HnswValue *HnswPrepareQuantizedQuery(const HnswDistance *d, Datum query, HnswQueryBound *bound)
{
	HnswValue *column_value = HnswPrepareColumnValue(d, query, true);
	if (column_value == NULL)
		return NULL;
	if (d->quantization == HNSW_QUANTIZATION_INT8)
	{
		/* the walk measures the query coded finely: almost only the elements' errors remain */
		HnswValue *query = int8_query(d, (const Vector *)column_value, &bound->error);
		bound->norm = std::sqrt(HnswInt8Query(HnswInt8(query))->norm_squared);
		return query;
	}
	if (d->quantization == HNSW_QUANTIZATION_BINARY)
	{
		/* no bound: the scan re-ranks with exact distances itself (hnsw_rerank.cpp) */
		bound->error = INFINITY;
		bound->norm = 0;
		return binary_query((const Vector *)column_value);
	}
	HnswValue *stored = HnswQuantizeValue(d, column_value, true);

	const Vector *q = (const Vector *)column_value;
	const vecrbac::half::Half *h = HnswHalfs(stored);
	double error = 0, norm = 0;
	for (int i = 0; i < d->dimensions; i++)
	{
		double hi = vecrbac::half::to_float(h[i]);
		double diff = (double)q->x[i] - hi;
		error += is_l1(d) ? std::fabs(diff) : diff * diff;
		norm += is_l1(d) ? std::fabs(hi) : hi * hi;
	}
	bound->error = is_l1(d) ? error : std::sqrt(error);
	bound->norm = is_l1(d) ? norm : std::sqrt(norm);
	/* the sums above are in double: their own error is far below the room left later */
	return stored;
}

double HnswQuantizedLowerBound(const HnswDistance *d, const HnswQueryBound *bound,
                               const HnswValue *query, float distance, const HnswValue *element)
{
	switch (d->kind)
	{
	case HNSW_DIST_INT8_L2_SQUARED:
	case HNSW_DIST_INT8_NEG_INNER_PRODUCT:
	case HNSW_DIST_INT8_L1:
		return int8_lower_bound(d, bound, query, element);
	case HNSW_DIST_HALF_L2_SQUARED:
	{
		/* the operator is the distance itself: the square root */
		double dh = std::sqrt(std::max(0.0f, distance));
		double element_error = rounding_error(d, dh + bound->norm); /* ||x'|| <= d' + ||q'|| */
		double lower = dh - bound->error - element_error - arithmetic_room(d, dh);
		return std::max(0.0, lower);
	}
	case HNSW_DIST_HALF_L1:
	{
		double dh = distance;
		double element_error = rounding_error(d, dh + bound->norm);
		return std::max(0.0, dh - bound->error - element_error - arithmetic_room(d, dh));
	}
	case HNSW_DIST_HALF_NEG_INNER_PRODUCT:
	{
		/*
		 * distance is -<q', x'>. The operator is -<q, x> for inner product and
		 * 1 - <q, x> for cosine, whose vectors the index normalized (a norm function).
		 */
		double xn = d->normproc != NULL ? unit_norm_bound(d) : half_norm(d, element);
		double element_error = rounding_error(d, xn);
		double change = bound->error * (xn + element_error) + bound->norm * element_error;
		double lower =
		    (double)distance - change - arithmetic_room(d, bound->norm * xn + std::fabs(distance));
		return d->normproc != NULL ? 1.0 + lower : lower;
	}
	default:
		elog(ERROR, "hnsw: distance kind %d is not quantized", (int)d->kind);
	}
	return 0;
}

HnswQuantization HnswIndexQuantization(Relation index)
{
	HnswMetaPageData meta;
	HnswReadMeta(index, &meta);
	switch (meta.quantization)
	{
	case HNSW_QUANTIZATION_HALF:
	case HNSW_QUANTIZATION_INT8:
	case HNSW_QUANTIZATION_BINARY:
		return (HnswQuantization)meta.quantization;
	default:
		return HNSW_QUANTIZATION_NONE;
	}
}
