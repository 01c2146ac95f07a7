/*
 * containers.h: growable arrays and heaps allocated with palloc.
 *
 * Index code runs in frames that can ereport (buffer access, CHECK_FOR_INTERRUPTS),
 * so it must not own objects with destructors. These containers are trivially
 * destructible PODs whose memory belongs to the current memory context: an error
 * frees them with the context, and nothing is leaked or left half-destroyed.
 */
#pragma once

#include "pg/pg.h"

#include <type_traits>

namespace vecrbac::pg
{

/* A growable array of trivially copyable T in the memory context current at init. */
template <typename T> struct PgVec
{
	static_assert(std::is_trivially_copyable_v<T>, "PgVec holds trivially copyable types");

	T *data;
	int size;
	int capacity;
	MemoryContext context;

	void init(int initial_capacity = 16)
	{
		context = CurrentMemoryContext;
		capacity = initial_capacity > 0 ? initial_capacity : 16;
		size = 0;
		data = (T *)MemoryContextAlloc(context, sizeof(T) * capacity);
	}

	void reserve(int wanted)
	{
		if (wanted <= capacity)
			return;
		int grown = capacity * 2;
		capacity = grown > wanted ? grown : wanted;
		data = (T *)repalloc(data, sizeof(T) * (Size)capacity);
	}

	void push(const T &value)
	{
		if (size == capacity)
			reserve(size + 1);
		data[size++] = value;
	}

	void clear() { size = 0; }
	T &operator[](int i) { return data[i]; }
	const T &operator[](int i) const { return data[i]; }
	Size bytes() const { return sizeof(T) * (Size)capacity; }
	void free_memory()
	{
		if (data)
			pfree(data);
		data = nullptr;
		size = capacity = 0;
	}
};

/*
 * A binary heap over PgVec. Less(a, b) true means a comes out before b: pass a
 * "closer than" comparison for a min-heap, "farther than" for a max-heap.
 */
template <typename T, typename Less> struct PgHeap
{
	PgVec<T> items;

	void init(int initial_capacity = 64) { items.init(initial_capacity); }
	bool empty() const { return items.size == 0; }
	int size() const { return items.size; }
	const T &top() const { return items.data[0]; }
	void clear() { items.clear(); }

	void push(const T &value)
	{
		items.push(value);
		int i = items.size - 1;
		T *a = items.data;
		while (i > 0)
		{
			int parent = (i - 1) / 2;
			if (!Less()(a[i], a[parent]))
				break;
			T tmp = a[i];
			a[i] = a[parent];
			a[parent] = tmp;
			i = parent;
		}
	}

	T pop()
	{
		T *a = items.data;
		T result = a[0];
		int n = --items.size;
		if (n > 0)
		{
			a[0] = a[n];
			int i = 0;
			for (;;)
			{
				int l = 2 * i + 1, r = l + 1, best = i;
				if (l < n && Less()(a[l], a[best]))
					best = l;
				if (r < n && Less()(a[r], a[best]))
					best = r;
				if (best == i)
					break;
				T tmp = a[i];
				a[i] = a[best];
				a[best] = tmp;
				i = best;
			}
		}
		return result;
	}
};

} // namespace vecrbac::pg
