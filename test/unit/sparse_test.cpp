// Sparse vector kernels and text reader (src/vector/sparse*.cpp): each distance equals,
// bit for bit, a sequential float loop over the dense form (adding the zero terms of
// absent elements changes no float sum); the order equals an element-by-element
// comparison of the dense forms; the reader accepts and refuses what pgvector does.
#include "vector/sparse.h"
#include "vector/sparse_text.h"

#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <random>
#include <string>
#include <vector>

using namespace vecrbac::sparse;

namespace
{

struct Sparse
{
	std::int32_t dim;
	std::vector<std::int32_t> indices;
	std::vector<float> values;

	View view() const
	{
		return View{dim, (std::int32_t)indices.size(), indices.data(), values.data()};
	}
	std::vector<float> dense() const
	{
		std::vector<float> d(dim, 0.0f);
		for (std::size_t i = 0; i < indices.size(); i++)
			d[indices[i]] = values[i];
		return d;
	}
};

Sparse random_sparse(std::mt19937 &rng, std::int32_t dim, double density)
{
	std::uniform_real_distribution<float> value(-4.0f, 4.0f);
	std::bernoulli_distribution keep(density);
	Sparse s{dim, {}, {}};
	for (std::int32_t i = 0; i < dim; i++)
		if (keep(rng))
		{
			float v = value(rng);
			if (v == 0)
				continue;
			s.indices.push_back(i);
			s.values.push_back(v);
		}
	return s;
}

/* Dense references, summed sequentially in float. */
float dense_l2(const std::vector<float> &a, const std::vector<float> &b)
{
	float sum = 0;
	for (std::size_t i = 0; i < a.size(); i++)
	{
		float d = a[i] - b[i];
		sum += d * d;
	}
	return sum;
}
float dense_ip(const std::vector<float> &a, const std::vector<float> &b)
{
	float sum = 0;
	for (std::size_t i = 0; i < a.size(); i++)
		sum += a[i] * b[i];
	return sum;
}
float dense_l1(const std::vector<float> &a, const std::vector<float> &b)
{
	float sum = 0;
	for (std::size_t i = 0; i < a.size(); i++)
		sum += std::fabs(a[i] - b[i]);
	return sum;
}
/* Dense order: elements where both exist, then a longer tail against 0, then dims. */
int dense_compare(const std::vector<float> &a, const std::vector<float> &b)
{
	std::size_t n = std::min(a.size(), b.size());
	for (std::size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

int sign(int x)
{
	return (x > 0) - (x < 0);
}

TextResult parse(const std::string &text, std::vector<Element> &out)
{
	out.assign(element_bound(text.c_str()), Element{0, 0});
	TextResult r = parse_text(text.c_str(), out.data(), out.size());
	out.resize(r.error == TextError::none ? r.nnz : 0);
	return r;
}

} // namespace

TEST(Sparse, DistancesEqualDenseSequentialSums)
{
	std::mt19937 rng(5);
	for (int round = 0; round < 400; round++)
	{
		std::int32_t dim = 1 + (std::int32_t)(rng() % 200);
		double da = (rng() % 5) / 4.0, db = (rng() % 5) / 4.0; /* 0 .. 1 */
		Sparse a = random_sparse(rng, dim, da), b = random_sparse(rng, dim, db);
		auto ad = a.dense(), bd = b.dense();
		SCOPED_TRACE("round " + std::to_string(round));
		EXPECT_EQ(dense_l2(ad, bd), l2_squared(a.view(), b.view()));
		EXPECT_EQ(dense_ip(ad, bd), inner_product(a.view(), b.view()));
		EXPECT_EQ(dense_l1(ad, bd), l1(a.view(), b.view()));
		EXPECT_EQ(dense_ip(ad, ad), norm_squared(a.view()));
		EXPECT_NEAR(dense_ip(ad, ad), norm_squared_double(a.view()), 1e-3);
		/* Symmetric, as the commutators declare. */
		EXPECT_EQ(l2_squared(a.view(), b.view()), l2_squared(b.view(), a.view()));
		EXPECT_EQ(l1(a.view(), b.view()), l1(b.view(), a.view()));
	}
}

TEST(Sparse, CompareEqualsDenseOrder)
{
	std::mt19937 rng(9);
	for (int round = 0; round < 2000; round++)
	{
		/* Few small dimensions and values so that ties and prefixes are common. */
		std::int32_t da = 1 + (std::int32_t)(rng() % 4), db = 1 + (std::int32_t)(rng() % 4);
		Sparse a{da, {}, {}}, b{db, {}, {}};
		for (Sparse *s : {&a, &b})
			for (std::int32_t i = 0; i < s->dim; i++)
			{
				int v = (int)(rng() % 3) - 1;
				if (v != 0)
				{
					s->indices.push_back(i);
					s->values.push_back((float)v);
				}
			}
		SCOPED_TRACE("round " + std::to_string(round));
		EXPECT_EQ(dense_compare(a.dense(), b.dense()), sign(compare(a.view(), b.view())));
	}
}

TEST(SparseText, AcceptsPgvectorForms)
{
	std::vector<Element> e;
	TextResult r = parse(" { 3 : 3.5 , 1:-2,2:0 } / 5 ", e);
	ASSERT_EQ(TextError::none, r.error);
	EXPECT_EQ(5, r.dim);
	ASSERT_EQ(2, r.nnz); /* the zero is dropped */
	EXPECT_EQ(2, e[0].index);
	EXPECT_EQ(3.5f, e[0].value);
	EXPECT_EQ(0, e[1].index);
	sort_elements(e.data(), r.nnz);
	EXPECT_EQ(0, e[0].index);
	EXPECT_EQ(-2.0f, e[0].value);

	r = parse("{}/1", e);
	EXPECT_EQ(TextError::none, r.error);
	EXPECT_EQ(0, r.nnz);
	r = parse("{+1:1e-45}/+2", e);
	EXPECT_EQ(TextError::none, r.error); /* subnormal, not zero: kept */
	EXPECT_EQ(1, r.nnz);
	/* Out-of-int values are clamped, to be reported later as out of bounds or too large. */
	r = parse("{99999999999:1}/99999999999", e);
	ASSERT_EQ(TextError::none, r.error);
	EXPECT_EQ(INT32_MAX, r.dim);
	EXPECT_EQ(INT32_MAX - 1, e[0].index);
	r = parse("{-99999999999:1}/-99999999999", e);
	ASSERT_EQ(TextError::none, r.error);
	EXPECT_EQ(INT32_MIN, r.dim);
	EXPECT_EQ(INT32_MIN, e[0].index);
}

TEST(SparseText, RefusesWithPgvectorsReasons)
{
	std::vector<Element> e;
	struct Case
	{
		const char *text;
		TextError error;
	} cases[] = {
	    {"", TextError::no_open_brace},
	    {"[1]", TextError::no_open_brace},
	    {"{", TextError::syntax},
	    {"{ ", TextError::syntax},
	    {"{1", TextError::syntax},
	    {"{1:", TextError::syntax},
	    {"{:1}/1", TextError::syntax},
	    {"{1:}/1", TextError::syntax},
	    {"{1,}/1", TextError::syntax},
	    {"{1:1,}/1", TextError::syntax},
	    {"{1:1a}/1", TextError::syntax},
	    {"{1a:1}/1", TextError::syntax},
	    {"{}", TextError::no_slash},
	    {"{1:1} 2", TextError::no_slash},
	    {"{}/", TextError::syntax},
	    {"{}/x", TextError::syntax},
	    {"{}/1a", TextError::junk},
	    {"{}/1 /", TextError::junk},
	    {"{1:nan}/1", TextError::nan_value},
	    {"{1:-Infinity}/1", TextError::infinite_value},
	    {"{1:4e38}/1", TextError::out_of_range},
	    {"{1:1e-50}/1", TextError::out_of_range},
	    {"{1:NaN,x}/1", TextError::nan_value},
	};
	for (const Case &c : cases)
	{
		SCOPED_TRACE(c.text);
		EXPECT_EQ(c.error, parse(c.text, e).error);
	}
	TextResult r = parse("{1:  -4e38}/1", e);
	ASSERT_EQ(TextError::out_of_range, r.error);
	EXPECT_EQ("-4e38", std::string("{1:  -4e38}/1").substr(r.bad_offset, r.bad_length));
}

TEST(SparseText, NeverWritesPastCapacity)
{
	/* A caller that passes less than element_bound gets an error, not an overflow. */
	Element one[1];
	EXPECT_EQ(TextError::syntax, parse_text("{1:1,2:2}/2", one, 1).error);
	EXPECT_EQ(3u, element_bound("{1:1,2:2,3:3}/3"));
	EXPECT_EQ(1u, element_bound(""));
}

TEST(SparseText, CheckIndex)
{
	std::int32_t ok[] = {0, 2, 4};
	for (std::int32_t i = 0; i < 3; i++)
		EXPECT_EQ(IndexError::none, check_index(ok, i, 5));
	EXPECT_EQ(IndexError::out_of_bounds, check_index(ok, 2, 4));
	std::int32_t negative[] = {-1};
	EXPECT_EQ(IndexError::out_of_bounds, check_index(negative, 0, 5));
	std::int32_t descending[] = {3, 1};
	EXPECT_EQ(IndexError::not_ascending, check_index(descending, 1, 5));
	std::int32_t duplicate[] = {1, 1};
	EXPECT_EQ(IndexError::duplicate, check_index(duplicate, 1, 5));
}
