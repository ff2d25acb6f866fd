#pragma once

// ObjectPool: recycles the short-lived records of the hot path (calls, jobs, step frames,
// client requests) so a run allocates in proportion to the requests in flight, not to the
// requests simulated. Objects have stable addresses; acquire() returns a default-initialised
// object (member initialisers run; members without one are indeterminate). The pool owns all
// objects. Not thread-safe.

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

namespace meshsim::models {

template <typename T>
class ObjectPool
{
public:
    static constexpr std::size_t kChunk = 256;

    T* acquire()
    {
        if (m_free.empty())
            grow();
        T* object = m_free.back();
        m_free.pop_back();
        // Default-initialised: the members' own initialisers, nothing more (records are reset on
        // every request; a member without an initialiser is one its user writes before reading).
        static_assert(std::is_trivially_destructible_v<T>, "pooled records own no resources");
        ::new (static_cast<void*>(object)) T;
        ++m_inUse;
        return object;
    }

    void release(T* object)
    {
        m_free.push_back(object);
        --m_inUse;
    }

    std::size_t inUse() const { return m_inUse; }
    std::size_t capacity() const { return m_chunks.size() * kChunk; }

private:
    void grow()
    {
        m_chunks.push_back(std::make_unique<T[]>(kChunk));
        T* chunk = m_chunks.back().get();
        for (std::size_t i = kChunk; i-- > 0;)
            m_free.push_back(chunk + i);
    }

    std::vector<std::unique_ptr<T[]>> m_chunks;
    std::vector<T*> m_free;
    std::size_t m_inUse = 0;
};

} // namespace meshsim::models
