/*
 * hnsw_value.cpp: what an index stores per element and how it measures distance,
 * for each indexable type (vector, halfvec, bit, sparsevec): the value's size and dimensions,
 * the distance kernels behind the opclasses' support functions, and the
 * preparation of a value (dimension checks, normalization for cosine).
 */
#include "hnsw/hnsw.h"

extern "C"
{
#include "access/genam.h"
#include "catalog/pg_type_d.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/varbit.h"
}

#include <cmath>

/* The SQL functions our opclasses and types use, recognised by address. */
extern "C"
{
	Datum vecrbac_vector_in(PG_FUNCTION_ARGS);
	Datum vecrbac_halfvec_in(PG_FUNCTION_ARGS);
	Datum vecrbac_sparsevec_in(PG_FUNCTION_ARGS);
	Datum vecrbac_vector_l2_squared_distance(PG_FUNCTION_ARGS);
	Datum vecrbac_vector_negative_inner_product(PG_FUNCTION_ARGS);
	Datum vecrbac_l1_distance(PG_FUNCTION_ARGS);
	Datum vecrbac_halfvec_l2_squared_distance(PG_FUNCTION_ARGS);
	Datum vecrbac_halfvec_negative_inner_product(PG_FUNCTION_ARGS);
	Datum vecrbac_halfvec_l1_distance(PG_FUNCTION_ARGS);
	Datum vecrbac_hamming_distance(PG_FUNCTION_ARGS);
	Datum vecrbac_jaccard_distance(PG_FUNCTION_ARGS);
	Datum vecrbac_sparsevec_l2_squared_distance(PG_FUNCTION_ARGS);
	Datum vecrbac_sparsevec_negative_inner_product(PG_FUNCTION_ARGS);
	Datum vecrbac_sparsevec_l1_distance(PG_FUNCTION_ARGS);
}

/* pgvector's limit of non-zero elements of an indexed sparsevec. */
#define HNSW_MAX_NNZ 1000

namespace
{

/* The kernel behind a support function of ours, or HNSW_DIST_GENERIC. */
HnswDistanceKind kind_of(HnswValueType type, PGFunction fn)
{
	switch (type)
	{
	case HNSW_VALUE_VECTOR:
		if (fn == vecrbac_vector_l2_squared_distance)
			return HNSW_DIST_L2_SQUARED;
		if (fn == vecrbac_vector_negative_inner_product)
			return HNSW_DIST_NEG_INNER_PRODUCT;
		if (fn == vecrbac_l1_distance)
			return HNSW_DIST_L1;
		break;
	case HNSW_VALUE_HALFVEC:
		if (fn == vecrbac_halfvec_l2_squared_distance)
			return HNSW_DIST_HALF_L2_SQUARED;
		if (fn == vecrbac_halfvec_negative_inner_product)
			return HNSW_DIST_HALF_NEG_INNER_PRODUCT;
		if (fn == vecrbac_halfvec_l1_distance)
			return HNSW_DIST_HALF_L1;
		break;
	case HNSW_VALUE_BIT:
		if (fn == vecrbac_hamming_distance)
			return HNSW_DIST_HAMMING;
		if (fn == vecrbac_jaccard_distance)
			return HNSW_DIST_JACCARD;
		break;
	case HNSW_VALUE_SPARSEVEC:
		if (fn == vecrbac_sparsevec_l2_squared_distance)
			return HNSW_DIST_SPARSE_L2_SQUARED;
		if (fn == vecrbac_sparsevec_negative_inner_product)
			return HNSW_DIST_SPARSE_NEG_INNER_PRODUCT;
		if (fn == vecrbac_sparsevec_l1_distance)
			return HNSW_DIST_SPARSE_L1;
		break;
	case HNSW_VALUE_INT8:
	case HNSW_VALUE_BINARY:
		break; /* stored forms, never a column's type */
	}
	return HNSW_DIST_GENERIC;
}

const char *quantization_name(HnswQuantization quantization)
{
	switch (quantization)
	{
	case HNSW_QUANTIZATION_INT8:
		return "int8";
	case HNSW_QUANTIZATION_BINARY:
		return "binary";
	default:
		return "half";
	}
}

/*
 * The kernel that stands for a vector kernel in a quantized index. Only vector columns
 * (and, in bytes or bits, halfvec ones) with our own opclasses can be quantized: what the
 * stored values change in a distance (hnsw_quantize.cpp) is bounded, or re-ranked
 * (hnsw_rerank.cpp), for those distances only.
 */
HnswDistanceKind quantized_kind_of(HnswValueType column_type, HnswDistanceKind kind,
                                   HnswQuantization quantization)
{
	bool binary = quantization == HNSW_QUANTIZATION_BINARY;
	bool int8 = quantization == HNSW_QUANTIZATION_INT8;
	bool codes_floats = int8 || binary; /* and so takes halfvec columns, widened */
	if (codes_floats && column_type == HNSW_VALUE_HALFVEC)
	{
		/* a halfvec column's values are widened to floats, then coded as a vector's */
		column_type = HNSW_VALUE_VECTOR;
		kind = kind == HNSW_DIST_HALF_L2_SQUARED          ? HNSW_DIST_L2_SQUARED
		       : kind == HNSW_DIST_HALF_NEG_INNER_PRODUCT ? HNSW_DIST_NEG_INNER_PRODUCT
		       : kind == HNSW_DIST_HALF_L1                ? HNSW_DIST_L1
		                                                  : kind;
	}
	if (column_type != HNSW_VALUE_VECTOR)
		ereport(ERROR,
		        (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		         errmsg(codes_floats ? "quantization \"%s\" is only for vector and halfvec columns"
		                             : "quantization \"%s\" is only for vector columns",
		                quantization_name(quantization)),
		         codes_floats ? errhint("bit and sparsevec are stored as they are.")
		                      : errhint("halfvec is stored in half precision already; bit and "
		                                "sparsevec are stored as they are.")));
	switch (kind)
	{
	case HNSW_DIST_L2_SQUARED:
		return binary ? HNSW_DIST_BINARY_L2_SQUARED
		       : int8 ? HNSW_DIST_INT8_L2_SQUARED
		              : HNSW_DIST_HALF_L2_SQUARED;
	case HNSW_DIST_NEG_INNER_PRODUCT:
		return binary ? HNSW_DIST_BINARY_NEG_INNER_PRODUCT
		       : int8 ? HNSW_DIST_INT8_NEG_INNER_PRODUCT
		              : HNSW_DIST_HALF_NEG_INNER_PRODUCT;
	case HNSW_DIST_L1:
		return binary ? HNSW_DIST_BINARY_L1 : int8 ? HNSW_DIST_INT8_L1 : HNSW_DIST_HALF_L1;
	default:
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg(codes_floats
		                           ? "quantization \"%s\" needs one of the vector or halfvec "
		                             "operator classes of hnsw"
		                           : "quantization \"%s\" needs one of the vector operator classes "
		                             "of hnsw",
		                       quantization_name(quantization))));
	}
	return kind;
}

const char *type_name(HnswValueType type)
{
	switch (type)
	{
	case HNSW_VALUE_HALFVEC:
		return "halfvec";
	case HNSW_VALUE_BIT:
		return "bit";
	case HNSW_VALUE_SPARSEVEC:
		return "sparsevec";
	case HNSW_VALUE_INT8:
		return "int8-coded vector";
	case HNSW_VALUE_BINARY:
		return "bit-coded vector";
	default:
		return "vector";
	}
}

/* A copy of a vector with unit L2 norm (norm > 0 and finite). */
HnswValue *normalized_vector(const Vector *v, double norm)
{
	Vector *r = InitVector(v->dim);
	for (int i = 0; i < v->dim; i++)
		r->x[i] = (float)(v->x[i] / norm);
	return (HnswValue *)r;
}

HnswValue *normalized_halfvec(const HalfVector *v, double norm)
{
	HalfVector *r = InitHalfVector(v->dim);
	for (int i = 0; i < v->dim; i++)
		r->x[i] = vecrbac::half::from_float((float)(vecrbac::half::to_float(v->x[i]) / norm));
	return (HnswValue *)r;
}

HnswValue *normalized_sparsevec(const SparseVector *v, double norm)
{
	SparseVector *r = (SparseVector *)palloc(VARSIZE(v));
	memcpy(r, v, VARSIZE(v));
	float *values = SPARSEVEC_VALUES(r);
	for (int i = 0; i < r->nnz; i++)
		values[i] = (float)(values[i] / norm);
	return (HnswValue *)r;
}

} // namespace

/* Support function 3 of the opclasses of each type but vector (pgvector's names). */
VECRBAC_FUNCTION(vecrbac_hnsw_halfvec_support)
{
	static const HnswTypeSupport support = {HNSW_VALUE_HALFVEC};
	PG_RETURN_POINTER(&support);
}

VECRBAC_FUNCTION(vecrbac_hnsw_bit_support)
{
	static const HnswTypeSupport support = {HNSW_VALUE_BIT};
	PG_RETURN_POINTER(&support);
}

VECRBAC_FUNCTION(vecrbac_hnsw_sparsevec_support)
{
	static const HnswTypeSupport support = {HNSW_VALUE_SPARSEVEC};
	PG_RETURN_POINTER(&support);
}

Size HnswValueSize(HnswValueType type, int dimensions)
{
	switch (type)
	{
	case HNSW_VALUE_HALFVEC:
		return offsetof(Vector, x) + sizeof(uint16) * dimensions;
	case HNSW_VALUE_BIT:
		return VARBITTOTALLEN(dimensions);
	case HNSW_VALUE_SPARSEVEC:
		return SPARSEVEC_SIZE(HNSW_MAX_NNZ);
	case HNSW_VALUE_INT8:
		return HNSW_INT8_SIZE(dimensions);
	case HNSW_VALUE_BINARY:
		return HNSW_BINARY_SIZE(dimensions);
	default:
		return VECTOR_SIZE(dimensions);
	}
}

Size HnswValueSizeOf(HnswValueType type, const HnswValue *value)
{
	if (type == HNSW_VALUE_SPARSEVEC)
	{
		int32 nnz = ((const SparseVector *)value)->nnz;
		return nnz >= 0 && nnz <= HNSW_MAX_NNZ ? SPARSEVEC_SIZE(nnz) : 0;
	}
	/* a stored int8 value is never a scan's query form: a page claiming so is corrupt */
	if (type == HNSW_VALUE_INT8 && HnswInt8(value)->unused != 0)
		return 0;
	if (type == HNSW_VALUE_BINARY && HnswBinary(value)->unused != 0)
		return 0;
	return HnswValueSize(type, HnswValueDimensions(type, value));
}

int HnswValueDimensions(HnswValueType type, const HnswValue *value)
{
	if (type == HNSW_VALUE_BIT)
		return VARBITLEN((const VarBit *)value);
	if (type == HNSW_VALUE_SPARSEVEC)
		return ((const SparseVector *)value)->dim;
	/* vector, halfvec, int8 and binary values share the header: varlena, int16 dim, int16 unused */
	return ((const Vector *)value)->dim;
}

bool HnswValueIsFinite(HnswValueType type, const HnswValue *value)
{
	int dims = HnswValueDimensions(type, value);
	switch (type)
	{
	case HNSW_VALUE_VECTOR:
		for (int i = 0; i < dims; i++)
			if (!std::isfinite(((const Vector *)value)->x[i]))
				return false;
		return true;
	case HNSW_VALUE_HALFVEC:
	{
		/* IEEE half: exponent bits all ones is an infinity or a NaN */
		const uint16 *x = (const uint16 *)((const Vector *)value)->x;
		for (int i = 0; i < dims; i++)
			if ((x[i] & 0x7C00) == 0x7C00)
				return false;
		return true;
	}
	case HNSW_VALUE_INT8:
	{
		const HnswInt8Value *x = HnswInt8(value);
		return std::isfinite(x->offset) && std::isfinite(x->scale) && std::isfinite(x->residual);
	}
	case HNSW_VALUE_BINARY:
	{
		const HnswBinaryValue *x = HnswBinary(value);
		return std::isfinite(x->mean) && std::isfinite(x->scale) && std::isfinite(x->abs_mean) &&
		       std::isfinite(x->norm_squared);
	}
	case HNSW_VALUE_SPARSEVEC:
	{
		vecrbac::sparse::View s = SparseVectorView((SparseVector *)value);
		for (int i = 0; i < s.nnz; i++)
			if (!std::isfinite(s.values[i]))
				return false;
		return true;
	}
	default:
		return true;
	}
}

int HnswMaxDimensions(HnswValueType type)
{
	switch (type)
	{
	case HNSW_VALUE_HALFVEC:
	case HNSW_VALUE_INT8:
		return 4000;
	case HNSW_VALUE_BIT:
		return 64000;
	case HNSW_VALUE_BINARY:
		return 16000; /* the vector type's own limit: an element's bits take 2,000 bytes */
	case HNSW_VALUE_SPARSEVEC:
		return 1000000000; /* the type's own limit: only non-zero elements are stored */
	default:
		return 2000;
	}
}

HnswValueType HnswColumnValueType(Relation index, int column)
{
	HnswValueType type = HNSW_VALUE_VECTOR;
	if (OidIsValid(index_getprocid(index, column + 1, HNSW_TYPE_SUPPORT_PROC)))
	{
		FmgrInfo *support = index_getprocinfo(index, column + 1, HNSW_TYPE_SUPPORT_PROC);
		type = ((const HnswTypeSupport *)DatumGetPointer(FunctionCall0Coll(support, InvalidOid)))
		           ->type;
	}

	/* The column must hold what the class says it holds: elements are read as that type. */
	Oid column_type = index->rd_opcintype[column];
	Oid input, ioparam;
	getTypeInputInfo(column_type, &input, &ioparam);
	FmgrInfo flinfo;
	fmgr_info(input, &flinfo);
	bool matches;
	switch (type)
	{
	case HNSW_VALUE_BIT:
		matches = column_type == BITOID;
		break;
	case HNSW_VALUE_HALFVEC:
		matches = flinfo.fn_addr == vecrbac_halfvec_in;
		break;
	case HNSW_VALUE_SPARSEVEC:
		matches = flinfo.fn_addr == vecrbac_sparsevec_in;
		break;
	default:
		matches = flinfo.fn_addr == vecrbac_vector_in;
		break;
	}
	if (!matches)
		ereport(
		    ERROR,
		    (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		     errmsg("type %s is not supported by the hnsw access method",
		            format_type_be(column_type)),
		     errhint(
		         "hnsw indexes vector, halfvec, bit and sparsevec with their operator classes.")));
	return type;
}

void HnswReportElementValue(const HnswDistance *dist, const HnswValue *value)
{
	ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
	                errmsg("hnsw element has %d dimensions, index has %d",
	                       HnswValueDimensions(dist->type, value), dist->dimensions),
	                errdetail("The element's value has %u bytes, the index's values %zu.",
	                          (unsigned)VARSIZE(value), dist->value_size)));
}

int HnswVectorColumn(Relation index)
{
	int natts = IndexRelationGetNumberOfKeyAttributes(index);
	for (int i = 0; i < natts; i++)
		if (OidIsValid(index_getprocid(index, i + 1, HNSW_DISTANCE_PROC)))
			return i;
	ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
	                errmsg("an hnsw index needs a vector column with a distance operator class")));
	return -1;
}

void HnswInitDistance(HnswDistance *d, Relation index, HnswQuantization quantization)
{
	int col = HnswVectorColumn(index);
	d->column = col;
	d->proc = index_getprocinfo(index, col + 1, HNSW_DISTANCE_PROC);
	d->normproc = OidIsValid(index_getprocid(index, col + 1, HNSW_NORM_PROC))
	                  ? index_getprocinfo(index, col + 1, HNSW_NORM_PROC)
	                  : NULL;
	d->collation = index->rd_indcollation[col];
	d->kernels = &vecrbac::distance::best();
	d->half_kernels = &vecrbac::half::best();
	d->int8_kernels = &vecrbac::int8::best();
	d->binary_kernels = &vecrbac::binary::best();
	d->bit_kernels = &vecrbac::bits::best();
	d->dimensions = TupleDescAttr(RelationGetDescr(index), col)->atttypmod;
	d->column_type = HnswColumnValueType(index, col);
	d->type = d->column_type;
	d->quantization = quantization;
	d->kind = kind_of(d->type, d->proc->fn_addr);
	if (quantization != HNSW_QUANTIZATION_NONE)
	{
		d->type = quantization == HNSW_QUANTIZATION_INT8     ? HNSW_VALUE_INT8
		          : quantization == HNSW_QUANTIZATION_BINARY ? HNSW_VALUE_BINARY
		                                                     : HNSW_VALUE_HALFVEC;
		d->kind = quantized_kind_of(d->column_type, d->kind, quantization);
	}
	d->value_size = HnswValueSize(d->type, d->dimensions);
	d->metric =
	    !(d->kind == HNSW_DIST_NEG_INNER_PRODUCT || d->kind == HNSW_DIST_HALF_NEG_INNER_PRODUCT ||
	      d->kind == HNSW_DIST_INT8_NEG_INNER_PRODUCT ||
	      d->kind == HNSW_DIST_BINARY_NEG_INNER_PRODUCT ||
	      d->kind == HNSW_DIST_SPARSE_NEG_INNER_PRODUCT || d->kind == HNSW_DIST_GENERIC);
}

HnswValue *HnswPrepareColumnValue(const HnswDistance *d, Datum datum, bool for_query)
{
	HnswValue *v = (HnswValue *)PG_DETOAST_DATUM(datum);
	int dims = HnswValueDimensions(d->column_type, v);

	/* The same errors as the distance operators and the column's type modifier raise. */
	if (dims != d->dimensions && d->dimensions > 0)
	{
		if (for_query && d->column_type == HNSW_VALUE_BIT)
			ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
			                errmsg("different bit lengths %d and %d", d->dimensions, dims)));
		if (for_query)
			ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
			                errmsg("different %s dimensions %d and %d", type_name(d->column_type),
			                       d->dimensions, dims)));
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("expected %d dimensions, not %d", d->dimensions, dims)));
	}
	/* An indexed sparsevec is stored whole: pgvector's limit. A query is not stored. */
	int32 nnz = d->column_type == HNSW_VALUE_SPARSEVEC ? ((const SparseVector *)v)->nnz : 0;
	if (!for_query && nnz > HNSW_MAX_NNZ)
		ereport(ERROR,
		        (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		         errmsg("sparsevec cannot have more than %d non-zero elements for hnsw index",
		                HNSW_MAX_NNZ)));
	/* Sizes follow from the header; a value of another size is not of the indexed type. */
	Size expected = d->column_type == HNSW_VALUE_SPARSEVEC && nnz >= 0
	                    ? SPARSEVEC_SIZE(nnz)
	                    : HnswValueSize(d->column_type, dims);
	if (VARSIZE(v) != expected)
		ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED),
		                errmsg("%s value of %d dimensions has %zu bytes, expected %zu",
		                       type_name(d->column_type), dims, (Size)VARSIZE(v), expected)));
	double norm = 0;
	if (d->normproc != NULL)
	{
		norm = DatumGetFloat8(FunctionCall1Coll(d->normproc, d->collation, PointerGetDatum(v)));
		if (!(norm > 0) || std::isinf(norm))
			return NULL; /* a zero vector has no direction: not indexed, no ordering as a query */
	}
	/*
	 * An int8 or binary index codes floats: a halfvec is widened (exactly) and, for
	 * cosine, normalized in float, so that the coding error is all its bounds must cover.
	 */
	if ((d->quantization == HNSW_QUANTIZATION_INT8 ||
	     d->quantization == HNSW_QUANTIZATION_BINARY) &&
	    d->column_type == HNSW_VALUE_HALFVEC)
	{
		const HalfVector *h = (const HalfVector *)v;
		Vector *wide = InitVector(h->dim);
		for (int i = 0; i < h->dim; i++)
			wide->x[i] = vecrbac::half::to_float(h->x[i]);
		return d->normproc != NULL ? normalized_vector(wide, norm) : (HnswValue *)wide;
	}
	if (d->normproc == NULL)
		return v;

	switch (d->column_type)
	{
	case HNSW_VALUE_VECTOR:
		return normalized_vector((const Vector *)v, norm);
	case HNSW_VALUE_HALFVEC:
		return normalized_halfvec((const HalfVector *)v, norm);
	case HNSW_VALUE_SPARSEVEC:
		return normalized_sparsevec((const SparseVector *)v, norm);
	default:
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("cosine distance is not defined for %s in hnsw",
		                       type_name(d->column_type))));
	}
	return NULL;
}

HnswValue *HnswPrepareValue(const HnswDistance *d, Datum datum, bool for_query)
{
	HnswValue *v = HnswPrepareColumnValue(d, datum, for_query);
	if (v == NULL || d->quantization == HNSW_QUANTIZATION_NONE)
		return v;
	return HnswQuantizeValue(d, v, for_query);
}
