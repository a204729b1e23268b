#pragma once
// Switching between stacks: the part of a fiber that is machine code.
//
// On x86-64 a switch saves and restores only what the ABI says a callee keeps (rbx, rbp,
// r12-r15, the stack pointer, the SSE and x87 control words), in user space. Elsewhere, and
// where shadow stacks are compiled in, it is ucontext's swapcontext, which also saves the
// signal mask with a system call on every switch.

#include <cstddef>

#if defined(__x86_64__) && !(defined(__CET__) && (__CET__ & 2))
#define OTARI_LOOP_ASM_SWITCH 1
#else
#include <ucontext.h>
#endif

namespace otari::loop::detail {

struct MachineContext {
#if defined(OTARI_LOOP_ASM_SWITCH)
    void* stack_pointer = nullptr;
#else
    ucontext_t context{};
#endif
};

// Make `context` start `entry(argument)` on the stack [stack, stack + size) when first switched
// to. `entry` must never return: it ends by switching away for good.
void prepare(MachineContext& context, void* stack, std::size_t size, void (*entry)(void*),
             void* argument);

// Save the running code's state in `from` and continue where `to` was saved (or prepared).
// Returns when something switches back to `from`.
void switch_to(MachineContext& from, MachineContext& to);

}  // namespace otari::loop::detail
