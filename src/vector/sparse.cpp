/*
 * sparse.cpp: merge-join distances and the order of sparse vectors.
 *
 * Each distance is one pass over the two ascending index lists. Terms are added
 * in ascending index order (elements present only in a or only in b contribute
 * their own value), which is the order pgvector adds them in; float addition is
 * not associative, so keeping the order is what makes results bit-identical.
 */
#include "vector/sparse.h"

#include <cmath>

namespace vecrbac::sparse
{

float l2_squared(const View &a, const View &b)
{
	float sum = 0.0f;
	std::int32_t i = 0, j = 0;

	while (i < a.nnz && j < b.nnz)
	{
		if (a.indices[i] == b.indices[j])
		{
			float diff = a.values[i++] - b.values[j++];
			sum += diff * diff;
		}
		else if (a.indices[i] < b.indices[j])
		{
			sum += a.values[i] * a.values[i];
			i++;
		}
		else
		{
			sum += b.values[j] * b.values[j];
			j++;
		}
	}
	for (; i < a.nnz; i++)
		sum += a.values[i] * a.values[i];
	for (; j < b.nnz; j++)
		sum += b.values[j] * b.values[j];
	return sum;
}

float inner_product(const View &a, const View &b)
{
	float sum = 0.0f;
	std::int32_t i = 0, j = 0;

	while (i < a.nnz && j < b.nnz)
	{
		if (a.indices[i] == b.indices[j])
			sum += a.values[i++] * b.values[j++];
		else if (a.indices[i] < b.indices[j])
			i++;
		else
			j++;
	}
	return sum;
}

float l1(const View &a, const View &b)
{
	float sum = 0.0f;
	std::int32_t i = 0, j = 0;

	while (i < a.nnz && j < b.nnz)
	{
		if (a.indices[i] == b.indices[j])
			sum += std::fabs(a.values[i++] - b.values[j++]);
		else if (a.indices[i] < b.indices[j])
			sum += std::fabs(a.values[i++]);
		else
			sum += std::fabs(b.values[j++]);
	}
	for (; i < a.nnz; i++)
		sum += std::fabs(a.values[i]);
	for (; j < b.nnz; j++)
		sum += std::fabs(b.values[j]);
	return sum;
}

float norm_squared(const View &a)
{
	float sum = 0.0f;
	for (std::int32_t i = 0; i < a.nnz; i++)
		sum += a.values[i] * a.values[i];
	return sum;
}

double norm_squared_double(const View &a)
{
	double sum = 0.0;
	for (std::int32_t i = 0; i < a.nnz; i++)
		sum += (double)a.values[i] * (double)a.values[i];
	return sum;
}

/*
 * Walks the stored elements pairwise. Where the indices differ, the vector with
 * the smaller index has a non-zero value where the other has 0, and its sign
 * decides. Past the shorter list, the longer one's next element decides if it
 * lies within the other's dimensions; otherwise the dimensions do.
 */
int compare(const View &a, const View &b)
{
	std::int32_t common = a.nnz < b.nnz ? a.nnz : b.nnz;

	for (std::int32_t i = 0; i < common; i++)
	{
		if (a.indices[i] < b.indices[i])
			return a.values[i] < 0 ? -1 : 1;
		if (a.indices[i] > b.indices[i])
			return b.values[i] < 0 ? 1 : -1;
		if (a.values[i] < b.values[i])
			return -1;
		if (a.values[i] > b.values[i])
			return 1;
	}
	if (a.nnz > common && a.indices[common] < b.dim)
		return a.values[common] < 0 ? -1 : 1;
	if (b.nnz > common && b.indices[common] < a.dim)
		return b.values[common] < 0 ? 1 : -1;
	if (a.dim != b.dim)
		return a.dim < b.dim ? -1 : 1;
	return 0;
}

} // namespace vecrbac::sparse
