#include "loop/context.hpp"

#include <cstdint>
#include <cstring>

namespace otari::loop::detail {

#if defined(OTARI_LOOP_ASM_SWITCH)

// otari_loop_switch(void** save, void* to): push the callee-saved registers and the control
// words on the running stack, store its pointer in *save, take `to` as the stack and pop the
// same layout from it. otari_loop_start is where a prepared stack "returns" to first: it calls
// r12(r13) and must never come back (ud2 if it does). No shadow-stack note is emitted here, so
// the linked binary is never marked for shadow stacks, which this switch does not maintain.
asm(R"(
    .text
    .p2align 4
    .globl otari_loop_switch
    .hidden otari_loop_switch
    .type otari_loop_switch, @function
otari_loop_switch:
    .cfi_startproc
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .cfi_endproc
    .size otari_loop_switch, .-otari_loop_switch

    .p2align 4
    .globl otari_loop_start
    .hidden otari_loop_start
    .type otari_loop_start, @function
otari_loop_start:
    .cfi_startproc
    .cfi_undefined rip
    movq %r13, %rdi
    callq *%r12
    ud2
    .cfi_endproc
    .size otari_loop_start, .-otari_loop_start
)");

extern "C" void otari_loop_switch(void** save, void* to);
extern "C" void otari_loop_start();

void prepare(MachineContext& context, void* stack, std::size_t size, void (*entry)(void*),
             void* argument) {
    // Where otari_loop_start runs: 16-byte aligned, so that `entry` is entered as after a call.
    auto top = (reinterpret_cast<std::uintptr_t>(stack) + size - 16) & ~std::uintptr_t(15);
    auto* frame = reinterpret_cast<std::uint64_t*>(top - 64);
    std::uint32_t mxcsr = 0;
    std::uint16_t x87_control = 0;
    asm volatile("stmxcsr %0" : "=m"(mxcsr));
    asm volatile("fnstcw %0" : "=m"(x87_control));
    frame[0] = 0;
    std::memcpy(&frame[0], &mxcsr, sizeof mxcsr);
    std::memcpy(reinterpret_cast<char*>(&frame[0]) + 4, &x87_control, sizeof x87_control);
    frame[1] = 0;                                                    // r15
    frame[2] = 0;                                                    // r14
    frame[3] = reinterpret_cast<std::uintptr_t>(argument);           // r13
    frame[4] = reinterpret_cast<std::uintptr_t>(entry);              // r12
    frame[5] = 0;                                                    // rbx
    frame[6] = 0;                                                    // rbp: the end of frame chains
    frame[7] = reinterpret_cast<std::uintptr_t>(&otari_loop_start);  // "return" address
    context.stack_pointer = frame;
}

void switch_to(MachineContext& from, MachineContext& to) {
    otari_loop_switch(&from.stack_pointer, to.stack_pointer);
}

#else

namespace {

// makecontext passes int arguments only: each pointer travels as two halves.
void start(unsigned entry_low, unsigned entry_high, unsigned argument_low, unsigned argument_high) {
    auto join = [](unsigned low, unsigned high) {
        return (std::uintptr_t(high) << 16 << 16) | std::uintptr_t(low);
    };
    auto entry = reinterpret_cast<void (*)(void*)>(join(entry_low, entry_high));
    entry(reinterpret_cast<void*>(join(argument_low, argument_high)));
}

unsigned low_half(std::uintptr_t value) { return unsigned(value & 0xffffffffu); }
unsigned high_half(std::uintptr_t value) { return unsigned(value >> 16 >> 16); }

}  // namespace

void prepare(MachineContext& context, void* stack, std::size_t size, void (*entry)(void*),
             void* argument) {
    ::getcontext(&context.context);
    context.context.uc_stack.ss_sp = stack;
    context.context.uc_stack.ss_size = size;
    context.context.uc_link = nullptr;
    auto entry_bits = reinterpret_cast<std::uintptr_t>(entry);
    auto argument_bits = reinterpret_cast<std::uintptr_t>(argument);
    ::makecontext(&context.context, reinterpret_cast<void (*)()>(&start), 4, low_half(entry_bits),
                  high_half(entry_bits), low_half(argument_bits), high_half(argument_bits));
}

void switch_to(MachineContext& from, MachineContext& to) {
    ::swapcontext(&from.context, &to.context);
}

#endif

}  // namespace otari::loop::detail
